package org.diffusej.engine.pipeline;

import ai.djl.ndarray.NDManager;
import org.diffusej.engine.text.PromptEncoder;
import org.diffusej.engine.text.PromptSyntaxException;
import org.diffusej.engine.Request;

/**
 * How a {@link Pipeline} turns a request's prompts into the UNet's conditioning. {@link #PLAIN} is the request's own
 * prompt and negative prompt; latent walks between prompts supply another ({@link LatentWalk#towardsPrompt}).
 */
@FunctionalInterface
public interface ConditioningSource {
    /** The request's prompt and negative prompt, encoded to the same length (A1111's behaviour). */
    ConditioningSource PLAIN = (prompts, r, m) -> prompts.encodePair(r.prompt(), r.negativePrompt(), r.clipSkip(), m);

    /** The conditioning for {@code request}, its arrays attached to {@code manager}. */
    PromptEncoder.Conditioning encode(PromptEncoder prompts, Request request, NDManager manager)
            throws PromptSyntaxException;
}
