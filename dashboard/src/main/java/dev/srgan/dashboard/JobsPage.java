package dev.srgan.dashboard;

import dev.srgan.core.jobs.JobOutlook;
import dev.srgan.core.jobs.JobStore;
import dev.srgan.core.jobs.JobView;
import dev.srgan.domain.jobs.JobStatus;
import dev.srgan.domain.jobs.JobType;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** All jobs, filterable by type and state and paged; and one job with its history and error. */
@Path("/jobs")
@Produces(MediaType.TEXT_HTML)
public class JobsPage {
    static final int PAGE_SIZE = 25;

    @Inject
    JobStore jobs;

    @Inject
    JobOutlook outlook;

    @CheckedTemplate(basePath = "dashboard")
    static class Templates {
        static native TemplateInstance jobs(Listing listing);

        static native TemplateInstance jobs$table(Listing listing);

        static native TemplateInstance job(JobView job, List<JobStore.JobEvent> events);

        static native TemplateInstance job$detail(JobView job, List<JobStore.JobEvent> events);
    }

    /** Submitters offered in the filter, the most recent first. */
    static final int SUBMITTERS_SHOWN = 50;
    /** Tags offered in the filter, the most used first. */
    static final int TAGS_SHOWN = 100;

    /** One page of the table and the filter that made it; {@code query} rebuilds the filter in links. */
    public record Listing(
            JobStore.Page page,
            String type,
            String status,
            List<String> types,
            List<String> statuses,
            String by,
            List<String> submitters,
            String tag,
            List<String> tags,
            String q,
            String query,
            long pages,
            long from,
            long to,
            String notice) {
        public boolean hasPrevious() {
            return page.page() > 0;
        }

        public boolean hasNext() {
            return page.page() + 1 < pages;
        }
    }

    @GET
    public TemplateInstance list(
            @QueryParam("type") String type,
            @QueryParam("status") String status,
            @QueryParam("by") String by,
            @QueryParam("tag") String tag,
            @QueryParam("q") String q,
            @QueryParam("page") String page)
            throws SQLException {
        return Templates.jobs(listing(type, status, by, tag, q, page));
    }

    /** The table alone, re-rendered when jobs change. */
    @GET
    @Path("table")
    public TemplateInstance table(
            @QueryParam("type") String type,
            @QueryParam("status") String status,
            @QueryParam("by") String by,
            @QueryParam("tag") String tag,
            @QueryParam("q") String q,
            @QueryParam("page") String page)
            throws SQLException {
        return Templates.jobs$table(listing(type, status, by, tag, q, page));
    }

    @GET
    @Path("{id}")
    public TemplateInstance job(@PathParam("id") String id) throws SQLException {
        UUID jobId = JobStore.id(id);
        return Templates.job(outlook.attach(jobs.require(jobId)), jobs.events(jobId));
    }

    @GET
    @Path("{id}/detail")
    public TemplateInstance detail(@PathParam("id") String id) throws SQLException {
        UUID jobId = JobStore.id(id);
        return Templates.job$detail(outlook.attach(jobs.require(jobId)), jobs.events(jobId));
    }

    Listing listing(String typeText, String statusText, String byText, String tagText, String qText, String pageText)
            throws SQLException {
        String by = byText == null || byText.isBlank() ? null : byText.trim();
        String tag = tagText == null || tagText.isBlank() ? null : tagText.trim();
        String q = qText == null || qText.isBlank() ? null : qText.trim();
        String notice = null;
        JobType type = null;
        JobStatus status = null;
        int page = 0;
        try {
            type = typeText == null || typeText.isBlank()
                    ? null
                    : JobType.valueOf(typeText.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            notice = "There is no job type '" + typeText + "'; showing all types.";
        }
        try {
            status = statusText == null || statusText.isBlank()
                    ? null
                    : JobStatus.valueOf(statusText.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            notice = "There is no state '" + statusText + "'; showing all states.";
        }
        try {
            page = pageText == null || pageText.isBlank() ? 0 : Math.max(0, Integer.parseInt(pageText.trim()) - 1);
        } catch (NumberFormatException e) {
            notice = "'" + pageText + "' is not a page number; showing the first page.";
        }
        JobStore.Filter filter = new JobStore.Filter(type, status, by, tag == null ? List.of() : List.of(tag), q);
        JobStore.Page result = jobs.list(filter, page, PAGE_SIZE);
        long pages = Math.max(1, (result.total() + PAGE_SIZE - 1) / PAGE_SIZE);
        if (page >= pages) {
            page = (int) pages - 1;
            result = jobs.list(filter, page, PAGE_SIZE);
        }
        // the running ones say the time they still need (a few at once: one per busy worker)
        List<JobView> items = new java.util.ArrayList<>();
        for (JobView j : result.items()) {
            items.add(j.status().equals("RUNNING") ? outlook.attach(j) : j);
        }
        result = new JobStore.Page(items, result.page(), result.size(), result.total());
        String t = type == null ? "" : type.name();
        String s = status == null ? "" : status.name();
        String query = "type=" + t + "&status=" + s + (by == null ? "" : "&by=" + Formats.urlEncode(by))
                + (tag == null ? "" : "&tag=" + Formats.urlEncode(tag))
                + (q == null ? "" : "&q=" + Formats.urlEncode(q));
        long from = result.total() == 0 ? 0 : (long) page * PAGE_SIZE + 1;
        long to = (long) page * PAGE_SIZE + result.items().size();
        return new Listing(
                result,
                t,
                s,
                Arrays.stream(JobType.values()).map(Enum::name).toList(),
                Arrays.stream(JobStatus.values()).map(Enum::name).toList(),
                by == null ? "" : by,
                jobs.submitters(SUBMITTERS_SHOWN),
                tag == null ? "" : tag,
                List.copyOf(jobs.tags(null, TAGS_SHOWN).keySet()),
                q == null ? "" : q,
                query,
                pages,
                from,
                to,
                notice);
    }
}
