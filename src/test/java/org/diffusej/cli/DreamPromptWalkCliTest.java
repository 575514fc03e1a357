package org.diffusej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.Map;
import org.diffusej.Fixtures;
import org.diffusej.engine.infotext.Infotext;
import org.diffusej.models.ModelSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code diffusej dream --prompt2} on the tiny SD1 fixture: exact prompt ends, a mixed middle, its provenance. */
class DreamPromptWalkCliTest {
    private static final String A = "a photo of a cat", B = "a red car, at night";
    @TempDir Path dir;

    @Test
    void framesWalkFromThePromptToPrompt2() throws Exception {
        CliHarness cli = new CliHarness(new ModelSettings(dir.resolve("cache"), "http://127.0.0.1:9", null, true, null,
                null), PipelineEngineLoader::load);
        String model = Fixtures.diffusersDir("sd1-tiny").toString();
        String[] common = {"-m", model, "--seed", "4", "--steps", "2", "--sampler", "Euler", "-W", "32", "-H", "32"};
        for (String[] run : new String[][] {{"txt2img", "-p", A, "-o", dir.resolve("a.png").toString()},
                {"txt2img", "-p", B, "-o", dir.resolve("b.png").toString()},
                {"dream", "-p", A, "--prompt2", B, "--to-seed", "4", "--frames", "3", "-o", dir.resolve("walk").toString()}}) {
            String[] args = new String[run.length + common.length];
            System.arraycopy(run, 0, args, 0, run.length);
            System.arraycopy(common, 0, args, run.length, common.length);
            assertEquals(ExitCode.OK, cli.run(args), cli.err());
        }
        ImageFile a = ImageFiles.read(dir.resolve("a.png")), b = ImageFiles.read(dir.resolve("b.png"));
        ImageFile first = ImageFiles.read(dir.resolve("walk/frame-0.png"));
        ImageFile mid = ImageFiles.read(dir.resolve("walk/frame-1.png"));
        ImageFile last = ImageFiles.read(dir.resolve("walk/frame-2.png"));
        assertEquals(a.rgb(), first.rgb(), "t = 0 is the prompt's own image");
        assertEquals(b.rgb(), last.rgb(), "t = 1 is prompt2's own image (same seed)");
        assertNotEquals(a.rgb(), mid.rgb());
        assertNotEquals(b.rgb(), mid.rgb());
        Map<String, Object> p = Infotext.parse(mid.parameters());
        assertEquals(A, p.get("Prompt"));
        assertEquals(B, p.get("Prompt B"));
        assertEquals("0.5", String.valueOf(p.get("Prompt mix")));
    }
}
