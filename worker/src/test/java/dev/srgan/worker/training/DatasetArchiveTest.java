package dev.srgan.worker.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.worker.jobs.JobFailure;
import dev.srgan.worker.jobs.ScratchSpace;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DatasetArchiveTest {
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("dataset-archive-test");
    }

    @AfterEach
    void tearDown() {
        ScratchSpace.delete(dir);
    }

    private Path zip(String... names) throws Exception {
        Path zip = dir.resolve("set.zip");
        try (OutputStream out = Files.newOutputStream(zip);
                ZipOutputStream z = new ZipOutputStream(out)) {
            for (String name : names) {
                z.putNextEntry(new ZipEntry(name));
                z.write(name.getBytes());
                z.closeEntry();
            }
        }
        return zip;
    }

    @Test
    void keepsOnlyImagesOrderedByNameUnderNamesOfItsOwn() throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        List<DatasetArchive.Image> images = DatasetArchive.extract(
                zip("b/2.JPEG", "a.png", "b/", "notes.txt", "b/.hidden.png", "__MACOSX/b/._2.JPEG", "c.jpg"),
                out,
                1 << 20);

        assertEquals(
                List.of("a.png", "b/2.JPEG", "c.jpg"),
                images.stream().map(DatasetArchive.Image::name).toList());
        for (DatasetArchive.Image image : images) {
            assertEquals(out, image.file().getParent(), "written flat into the target directory");
            assertEquals(image.name(), Files.readString(image.file()));
        }
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(3, files.count());
        }
    }

    @Test
    void entriesReachingOutsideTheArchiveFailTheJob() throws Exception {
        for (String name : List.of("../up.png", "a/../../up.png", "/etc/passwd.png", "C:/x.png", "a\\..\\up.png")) {
            Path out = Files.createTempDirectory(dir, "out");
            JobFailure failure = assertThrows(
                    JobFailure.class, () -> DatasetArchive.extract(zip("ok.png", name), out, 1 << 20), name);
            assertTrue(failure.permanent());
            assertEquals("the dataset holds an entry with an unsafe path: " + name, failure.getMessage());
            Files.delete(dir.resolve("set.zip"));
        }
        assertTrue(Files.notExists(dir.getParent().resolve("up.png")));
    }

    @Test
    void anArchiveWithoutImagesOrNoZipAtAllFailsWithAReason() throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        assertEquals(
                "the dataset holds no .png, .jpg or .jpeg image",
                assertThrows(JobFailure.class, () -> DatasetArchive.extract(zip("readme.txt"), out, 1 << 20))
                        .getMessage());
        Path notZip = Files.writeString(dir.resolve("not.zip"), "plain text");
        assertTrue(assertThrows(JobFailure.class, () -> DatasetArchive.extract(notZip, out, 1 << 20))
                .getMessage()
                .startsWith("the dataset is not a readable ZIP archive"));
    }

    @Test
    void unpackingStopsAtTheByteLimit() throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        JobFailure failure = assertThrows(
                JobFailure.class, () -> DatasetArchive.extract(zip("aaaaaaaaaa.png", "bbbbbbbbbb.png"), out, 15));
        assertEquals("the dataset unpacks to more than 15 bytes of images, this worker's limit", failure.getMessage());
    }

    @Test
    void holdsOutTheLastTenthByNameAndAtLeastOneImage() {
        assertEquals(List.of(0), names(split(1).training()));
        assertEquals(List.of(0), names(split(1).validation()), "a single image is also the validation image");
        assertEquals(List.of(1), names(split(2).validation()));
        assertEquals(List.of(9), names(split(10).validation()));
        assertEquals(List.of(23, 24), names(split(25).validation()));
        assertEquals(23, split(25).training().size());
    }

    private static List<Integer> names(List<DatasetArchive.Image> images) {
        return images.stream().map(i -> Integer.parseInt(i.name())).toList();
    }

    private static DatasetArchive.Split split(int n) {
        return DatasetArchive.split(IntStream.range(0, n)
                .mapToObj(i -> new DatasetArchive.Image(String.valueOf(i), Path.of(i + ".png")))
                .toList());
    }
}
