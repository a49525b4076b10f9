package dev.srgan.core.storage;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Every column that holds a stored file (a blob), with what the files are to a user: the one list
 * that {@link StorageUsage} sums by and {@link Deletions} checks before it deletes a file. A new
 * table that stores files goes here.
 */
final class BlobColumns {
    /** One column holding blob ids. */
    record Column(String what, String table, String column) {}

    static final List<Column> ALL = List.of(
            new Column("upscale inputs", "jobs", "input_blob_id"),
            new Column("upscale results", "results", "blob_id"),
            new Column("training checkpoints", "checkpoints", "blob_id"),
            new Column("validation samples", "sample_images", "blob_id"),
            new Column("datasets", "datasets", "blob_id"),
            new Column("models", "models", "blob_id"),
            new Column("model comparison crops", "model_comparisons", "blob_id"));

    /** SQL that holds when the blob {@code b} is in none of the columns. */
    static String unused(String blobAlias) {
        return ALL.stream()
                .map(c ->
                        "NOT EXISTS (SELECT 1 FROM " + c.table() + " WHERE " + c.column() + " = " + blobAlias + ".id)")
                .collect(Collectors.joining(" AND "));
    }

    private BlobColumns() {}
}
