package dev.srgan.worker.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.domain.images.ModelBlend;
import dev.srgan.domain.images.OutputOptions;
import java.io.IOException;
import java.util.function.Function;

/** A job's params JSON as the executors read it: member by member, and the blend it asks for. */
public final class JobParams {
    private JobParams() {}

    /**
     * The text of each member of the params by name, null when absent or null.
     *
     * @throws JobFailure permanent, when the params are not JSON
     */
    public static Function<String, String> members(ObjectMapper json, String paramsJson) throws JobFailure {
        JsonNode params;
        try {
            params = json.readTree(paramsJson == null ? "{}" : paramsJson);
        } catch (IOException e) {
            throw JobFailure.permanent("the job's params are not valid JSON");
        }
        return name -> {
            JsonNode member = params.get(name);
            return member == null || member.isNull() ? null : member.asText();
        };
    }

    /**
     * The model the job blends its model with ({@link ModelBlend#params()}), or null for none.
     *
     * @throws JobFailure permanent, naming what is wrong with the recorded blend
     */
    public static ModelBlend blend(Function<String, String> params) throws JobFailure {
        try {
            return ModelBlend.fromParams(params);
        } catch (OutputOptions.InvalidOption e) {
            throw JobFailure.permanent("the job's params are not valid: " + e.getMessage());
        }
    }
}
