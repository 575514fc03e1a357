package org.diffusej.diagnostics;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;

import java.io.IOException;

/**
 * The system report as JSON: {@code {"diffusej", "broken", "complaints": [...], "sections": {name: {"status":
 * "ok|problem|failed", facts..., "problems": [...], "error"}}}}, field names in snake_case.
 */
public final class ReportJson {
    private static final Gson GSON = new GsonBuilder().setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
            .registerTypeAdapter(Double.class, new FiniteOrText()).registerTypeAdapter(double.class, new FiniteOrText())
            .create();
    private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping()
            .create();

    private ReportJson() {
    }

    /** The report as a JSON tree. */
    public static JsonObject tree(SystemReport report) {
        JsonObject root = new JsonObject();
        root.addProperty("diffusej", report.version());
        root.addProperty("broken", report.broken());
        JsonArray complaints = new JsonArray();
        report.complaints().forEach(complaints::add);
        root.add("complaints", complaints);
        JsonObject sections = new JsonObject();
        for (SectionResult s : report.sections()) {
            JsonObject o = new JsonObject();
            o.addProperty("title", s.title());
            o.addProperty("status", s.error() != null ? "failed" : s.problems().isEmpty() ? "ok" : "problem");
            if (s.facts() != null) GSON.toJsonTree(s.facts()).getAsJsonObject().entrySet()
                    .forEach(e -> o.add(e.getKey(), e.getValue()));
            JsonArray problems = new JsonArray();
            s.problems().forEach(problems::add);
            o.add("problems", problems);
            if (s.error() != null) o.addProperty("error", s.error());
            sections.add(s.name(), o);
        }
        root.add("sections", sections);
        return root;
    }

    /** Doubles as JSON numbers, except NaN and infinities (a self-test gone wrong) as the strings "NaN", "Infinity". */
    private static final class FiniteOrText extends TypeAdapter<Double> {
        @Override
        public void write(JsonWriter out, Double d) throws IOException {
            if (d == null) out.nullValue();
            else if (Double.isFinite(d)) out.value(d);
            else out.value(d.toString());
        }

        @Override
        public Double read(JsonReader in) {
            throw new UnsupportedOperationException("the report is written, never read");
        }
    }

    /** The report as indented JSON text. */
    public static String render(SystemReport report) {
        return PRETTY.toJson(tree(report));
    }
}
