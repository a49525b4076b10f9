package dev.srgan.networks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingConfigTest {

    @Test
    void defaultsAreThePapersHyperparameters() {
        TrainingConfig c = TrainingConfig.defaults();
        assertEquals(4, c.scale());
        assertEquals(16, c.residualBlocks());
        assertEquals(16, c.batchSize());
        assertEquals(96, c.hrCropSize());
        assertEquals(1e-4, c.learningRateG());
        assertEquals(0.9, c.beta1());
        assertEquals(1e-3, c.adversarialWeight());
        assertNull(c.emaDecay());
        assertEquals(false, c.freezeBatchNorm());
    }

    @Test
    void jsonRoundTripKeepsEveryField() {
        TrainingConfig c = TrainingConfig.builder()
                .scale(2)
                .residualBlocks(3)
                .emaDecay(0.999)
                .lrMilestones(List.of(100, 200))
                .seed(-5)
                .featureExtractorPath("/models/vgg.pt")
                .featureExtractorName("vgg19:relu2_2")
                .freezeBatchNorm(true)
                .blurSigma(1.5)
                .noiseSigma(8)
                .jpegQuality(40)
                .build();
        assertEquals(c, TrainingConfig.fromJson(c.toJson()));
        assertEquals(true, c.isDegraded());
        assertEquals(false, TrainingConfig.defaults().isDegraded());
        assertEquals("blur σ up to 1.5 px, noise σ up to 8 levels, JPEG quality 40–95", c.degradationText());
        assertNull(TrainingConfig.defaults().degradationText());
    }

    @Test
    void absentFieldsTakeTheirDefaults() {
        TrainingConfig c = TrainingConfig.fromJson("{\"scale\": 2, \"ganSteps\": 7}");
        assertEquals(2, c.scale());
        assertEquals(7, c.ganSteps());
        assertEquals(TrainingConfig.defaults().batchSize(), c.batchSize());
        assertEquals(TrainingConfig.defaults().hrCropSize(), c.hrCropSize());
    }

    @Test
    void invalidValueNamesItsField() {
        TrainingConfig.InvalidConfigException e = assertThrows(
                TrainingConfig.InvalidConfigException.class, () -> TrainingConfig.fromJson("{\"scale\": 3}"));
        assertEquals("scale", e.field());
        e = assertThrows(
                TrainingConfig.InvalidConfigException.class,
                () -> TrainingConfig.fromJson("{\"scale\": 4, \"hrCropSize\": 30}"));
        assertEquals("hrCropSize", e.field());
        for (String bad : List.of("{\"blurSigma\": -1}", "{\"noiseSigma\": 51}", "{\"jpegQuality\": 96}")) {
            e = assertThrows(TrainingConfig.InvalidConfigException.class, () -> TrainingConfig.fromJson(bad));
            assertEquals(bad.substring(2, bad.indexOf('"', 2)), e.field());
        }
    }

    @Test
    void unknownFieldsAndMalformedJsonAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> TrainingConfig.fromJson("{\"scael\": 4}"));
        assertThrows(IllegalArgumentException.class, () -> TrainingConfig.fromJson("{"));
    }
}
