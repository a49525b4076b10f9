package dev.srgan.networks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PhaseTest {

    @Test
    void storedNamesAreThoseInTheDatabaseAndCheckpointsAndRoundTrip() {
        assertEquals("pretrain", Phase.PRETRAIN.storedName());
        assertEquals("gan", Phase.GAN.storedName());
        assertEquals(LossRecord.PRETRAIN, Phase.PRETRAIN.storedName());
        assertEquals(LossRecord.GAN, Phase.GAN.storedName());
        for (Phase phase : Phase.values()) {
            assertEquals(phase, Phase.fromStoredName(phase.storedName()));
        }
        assertThrows(IllegalArgumentException.class, () -> Phase.fromStoredName("PRETRAIN"));
    }

    @Test
    void stepsUpToPretrainStepsArePretraining() {
        assertEquals(Phase.PRETRAIN, Phase.ofStep(0, 2));
        assertEquals(Phase.PRETRAIN, Phase.ofStep(2, 2));
        assertEquals(Phase.GAN, Phase.ofStep(3, 2));
        assertEquals(Phase.GAN, Phase.ofStep(1, 0));
        assertEquals(Phase.PRETRAIN, Phase.ofStep(0, 0));
    }

    @Test
    void lossRecordCombinesTheHalvesOfAStep() {
        GanStep.GeneratorStep pretrain = new GanStep.GeneratorStep(0.25, 0.25, null);
        LossRecord p = LossRecord.of(1, Phase.PRETRAIN, new GanStep.Result(null, pretrain, null), 1e-3, 2e-3, 0.5);
        assertEquals(new LossRecord(1, "pretrain", null, 0.25, 0.25, null, null, null, 1e-3, null, 0.5), p);

        GanStep.DiscriminatorStep d = new GanStep.DiscriminatorStep(1.25, 0.75, 0.125);
        GanStep.GeneratorStep g = new GanStep.GeneratorStep(0.5, 0.375, 0.625);
        LossRecord gan = LossRecord.of(7, Phase.GAN, new GanStep.Result(d, g, null), 1e-3, 2e-3, 1.5);
        assertEquals(new LossRecord(7, "gan", 1.25, 0.5, 0.375, 0.625, 0.75, 0.125, 1e-3, 2e-3, 1.5), gan);
        assertNull(p.adversarialLoss());
    }
}
