package dev.srgan.domain.jobs;

/**
 * What api and worker say of a fine-tuning run whose starting model is gone: the api when it
 * refuses a retry, the worker when it fails such a run.
 */
public final class BaseModel {
    private BaseModel() {}

    /** Why a run that starts from model {@code name} cannot run: the model was deleted before it stored a checkpoint. */
    public static String deleted(String name) {
        return "model '" + name + "', which the run starts from, has been deleted and the run stored no checkpoint"
                + " to resume from; submit it again with another baseModelId";
    }
}
