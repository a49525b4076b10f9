package dev.srgan.core.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.srgan.core.errors.ApiException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A job's tags and notes, for keeping track of experiments: short labels to find and group runs by
 * ({@code baseline}, {@code x4}, {@code lr-sweep}), and free text on what a run tried and what came
 * of it. They arrive with a training run or sweep, or later with {@code PATCH /api/jobs/{id}} (the
 * run page's form); both are checked here, with a 400 naming the field.
 *
 * @param tags the tags in the order given, without repeats; empty for none
 * @param notes the notes, or null for none
 */
public record JobLabels(List<String> tags, String notes) {

    /** At most this many tags on a job. */
    public static final int MAX_TAGS = 16;
    /** The longest tag. */
    public static final int MAX_TAG_LENGTH = 32;
    /** The longest notes. */
    public static final int MAX_NOTES = 10_000;
    /** No tags and no notes. */
    public static final JobLabels NONE = new JobLabels(List.of(), null);

    /** Letters, digits and a few separators; no commas, so a form may take them comma-separated. */
    private static final Pattern TAG = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N} ._:/+=@#-]*");

    public JobLabels {
        tags = List.copyOf(tags);
    }

    /**
     * Reads the tags and notes of a submission; absent ones are none.
     *
     * @throws ApiException 400 naming {@code tags} or {@code notes}
     */
    public static JobLabels of(JsonNode tags, String notes) {
        List<String> t = tags == null || tags.isNull() ? List.of() : tags(tags);
        return new JobLabels(t, notes(notes));
    }

    /**
     * Checks a JSON list of tags: each trimmed, 1 to {@value #MAX_TAG_LENGTH} characters of letters,
     * digits, spaces and {@code . _ : / + = @ # -}, starting with a letter or digit; a repeat is
     * dropped; at most {@value #MAX_TAGS}.
     *
     * @throws ApiException 400 naming {@code tags}
     */
    public static List<String> tags(JsonNode list) {
        if (!list.isArray()) {
            throw ApiException.badRequest(
                    "tags", "tags must be a list of strings, e.g. [\"baseline\", \"x4\"], got " + list);
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode item : list) {
            if (!item.isTextual()) {
                throw ApiException.badRequest("tags", "tags must be strings, got " + item);
            }
            texts.add(item.asText());
        }
        return tags(texts);
    }

    /**
     * Tags as a form field holds them, comma-separated ({@code -F tags=client-a,urgent}); blank
     * is none. Checked as {@link #tags(JsonNode)}.
     *
     * @throws ApiException 400 naming {@code tags}
     */
    public static JobLabels ofText(String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return NONE;
        }
        List<String> texts = new ArrayList<>();
        for (String part : commaSeparated.split(",")) {
            if (!part.isBlank()) {
                texts.add(part);
            }
        }
        return new JobLabels(tags(texts), null);
    }

    private static List<String> tags(List<String> texts) {
        Set<String> tags = new LinkedHashSet<>();
        for (String text : texts) {
            String tag = text.trim();
            if (tag.isEmpty()
                    || tag.length() > MAX_TAG_LENGTH
                    || !TAG.matcher(tag).matches()) {
                throw ApiException.badRequest(
                        "tags",
                        "tag '" + tag + "' must be 1 to " + MAX_TAG_LENGTH
                                + " letters, digits, spaces or . _ : / + = @ #"
                                + " -, starting with a letter or digit");
            }
            tags.add(tag);
        }
        if (tags.size() > MAX_TAGS) {
            throw ApiException.badRequest("tags", "a job has at most " + MAX_TAGS + " tags, got " + tags.size());
        }
        return new ArrayList<>(tags);
    }

    /**
     * Checks notes: null or blank is none, else at most {@value #MAX_NOTES} characters (kept as
     * written, lines and all).
     *
     * @throws ApiException 400 naming {@code notes}
     */
    public static String notes(String notes) {
        if (notes == null || notes.isBlank()) {
            return null;
        }
        if (notes.length() > MAX_NOTES) {
            throw ApiException.badRequest(
                    "notes", "notes must be at most " + MAX_NOTES + " characters, got " + notes.length());
        }
        return notes.strip();
    }

    /** Writes these labels on the job, in the caller's transaction. */
    public void write(Connection c, UUID jobId) throws SQLException {
        if (equals(NONE)) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET tags = ?, notes = ? WHERE id = ?")) {
            Array array = c.createArrayOf("text", tags.toArray());
            ps.setArray(1, array);
            ps.setString(2, notes);
            ps.setObject(3, jobId);
            ps.executeUpdate();
        }
    }

    /** The labels as one line of a request's fingerprint. */
    public String fingerprint() {
        return String.join("\u001f", tags) + "\u001e" + (notes == null ? "" : notes);
    }
}
