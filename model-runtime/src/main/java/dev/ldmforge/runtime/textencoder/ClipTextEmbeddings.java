package dev.ldmforge.runtime.textencoder;

import ai.djl.ndarray.NDArray;
import dev.ldmforge.runtime.nn.Embedding;
import dev.ldmforge.runtime.nn.Scope;

/** transformers' {@code CLIPTextEmbeddings}: token embedding plus the embedding of positions 0 .. L-1. */
final class ClipTextEmbeddings {
    private final Embedding tokenEmbedding;
    private final Embedding positionEmbedding;

    ClipTextEmbeddings(Scope scope, ClipTextConfig config) {
        this.tokenEmbedding = new Embedding(scope.child("token_embedding"), config.vocabSize(), config.hiddenSize());
        this.positionEmbedding = new Embedding(scope.child("position_embedding"), config.maxPositionEmbeddings(),
                config.hiddenSize());
    }

    /** ids [B, L] -> [B, L, hidden]. */
    NDArray forward(NDArray inputIds) {
        long length = inputIds.getShape().get(1);
        return tokenEmbedding.forward(inputIds).add(positionEmbedding.firstRows(length, inputIds));
    }
}
