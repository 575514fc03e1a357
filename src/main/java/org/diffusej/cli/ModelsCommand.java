package org.diffusej.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.diffusej.engine.Mode;
import org.diffusej.models.CatalogEntry;
import org.diffusej.models.ModelCache;
import org.diffusej.models.ModelNotAvailableException;
import org.diffusej.models.ModelResolver;
import org.diffusej.models.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;

/** {@code diffusej models}: the catalog and the cache (list, pull, verify, rm). */
@Command(name = "models", description = "List, download, verify and remove catalog models.",
        mixinStandardHelpOptions = true,
        subcommands = {ModelsCommand.ListModels.class, ModelsCommand.Pull.class, ModelsCommand.Verify.class,
                ModelsCommand.Remove.class})
final class ModelsCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Name a subcommand: list, pull, verify or rm.");
    }

    /** {@code models list}. */
    @Command(name = "list", description = "Catalog models, whether they are cached, and where.", mixinStandardHelpOptions = true)
    static final class ListModels implements Callable<Integer> {
        @Option(names = "--json", description = "Print as JSON.") boolean json;
        private final CliContext ctx;

        ListModels(CliContext ctx) { this.ctx = ctx; }

        @Override
        public Integer call() throws Exception {
            ModelResolver r = ctx.models().get();
            ModelCache cache = r.cache();
            Map<String, ModelCache.CachedModel> cached = cache.list(r.catalog()).stream()
                    .collect(Collectors.toMap(c -> c.entry().id(), Function.identity()));
            JsonArray arr = new JsonArray();
            if (!json) ctx.out().println("Cache folder: " + cache.root());
            for (CatalogEntry e : r.catalog().entries()) {
                ModelCache.CachedModel c = cached.get(e.id());
                String status = c == null ? "not downloaded" : c.complete() ? "cached" : "partial";
                List<String> defaults = new ArrayList<>();
                for (Mode m : Mode.values())
                    if (e.id().equals(r.settings().defaultModel(m, r.catalog())))
                        defaults.add(m.name().toLowerCase(Locale.ROOT));
                if (json) {
                    JsonObject o = new JsonObject();
                    o.addProperty("id", e.id());
                    o.addProperty("title", e.title());
                    o.addProperty("repo", e.repo());
                    o.addProperty("status", status);
                    o.addProperty("location", cache.location(e).toString());
                    o.addProperty("bytes_on_disk", c == null ? 0 : c.bytesOnDisk());
                    JsonArray d = new JsonArray();
                    defaults.forEach(d::add);
                    o.add("default_for", d);
                    arr.add(o);
                } else {
                    ctx.out().printf(Locale.ROOT, "%-16s %-15s %-10s %s%s%n", e.id(), status,
                            c == null ? "" : ProgressBar.size(c.bytesOnDisk()), e.title(),
                            defaults.isEmpty() ? "" : "  [default: " + String.join(", ", defaults) + "]");
                }
            }
            if (json) ctx.out().println(new GsonBuilder().setPrettyPrinting().create().toJson(arr));
            return ExitCode.OK;
        }
    }

    /** {@code models pull ID}. */
    @Command(name = "pull", description = "Download a catalog model now (resumes an interrupted download).",
            mixinStandardHelpOptions = true)
    static final class Pull implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "Catalog id.") String id;
        @Option(names = {"-q", "--quiet"}, description = "No progress bar.") boolean quiet;
        private final CliContext ctx;

        Pull(CliContext ctx) { this.ctx = ctx; }

        @Override
        public Integer call() throws Exception {
            ModelResolver r = ctx.models().get();
            ProgressBar bar = new ProgressBar(ctx.err(), !quiet, ctx.tty());
            Path p = r.pull(r.entry(id), bar::download, ctx.token());
            bar.finishLine();
            ctx.out().println(p);
            return ExitCode.OK;
        }
    }

    /** {@code models verify [ID...]}. */
    @Command(name = "verify", description = "Re-check the SHA-256 of cached models (all cached ones by default).",
            mixinStandardHelpOptions = true)
    static final class Verify implements Callable<Integer> {
        @Parameters(paramLabel = "ID", arity = "0..*", description = "Catalog ids.") List<String> ids;
        private final CliContext ctx;

        Verify(CliContext ctx) { this.ctx = ctx; }

        @Override
        public Integer call() throws Exception {
            ModelResolver r = ctx.models().get();
            List<CatalogEntry> entries = new ArrayList<>();
            if (ids == null || ids.isEmpty())
                for (ModelCache.CachedModel c : r.cache().list(r.catalog())) entries.add(c.entry());
            else for (String id : ids) entries.add(r.entry(id));
            boolean bad = false;
            for (CatalogEntry e : entries) {
                VerifyReport report = r.cache().verify(e);
                for (VerifyReport.FileCheck f : report.files())
                    ctx.out().printf(Locale.ROOT, "%-16s %-13s %s%n", e.id(), f.status(), f.path());
                bad |= !report.ok();
            }
            if (bad)
                throw new ModelNotAvailableException("Some cached files are missing or corrupt: remove the model with "
                        + "`diffusej models rm ID` and download it again with `diffusej models pull ID`.");
            return ExitCode.OK;
        }
    }

    /** {@code models rm ID}. */
    @Command(name = "rm", description = "Delete a model from the cache.", mixinStandardHelpOptions = true)
    static final class Remove implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "Catalog id.") String id;
        private final CliContext ctx;

        Remove(CliContext ctx) { this.ctx = ctx; }

        @Override
        public Integer call() throws Exception {
            ModelResolver r = ctx.models().get();
            CatalogEntry e = r.entry(id);
            boolean removed = r.cache().remove(e);
            ctx.out().println(removed ? "Removed " + r.cache().folder(e) : id + " was not in the cache.");
            return ExitCode.OK;
        }
    }
}
