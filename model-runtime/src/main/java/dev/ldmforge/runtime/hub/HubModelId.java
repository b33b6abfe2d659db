package dev.ldmforge.runtime.hub;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A model named as on the Hugging Face Hub: {@code ORG/NAME}, optionally {@code @REVISION} (a branch, tag or commit
 * hash; without one, {@code main}). Names follow the Hub's rules (letters, digits, {@code - _ .}, no {@code --} or
 * {@code ..}, at most 96 characters); a name ending like a weights file ({@code .safetensors}, {@code .ckpt}, ...)
 * is a path, never a hub id.
 *
 * @param repo     {@code ORG/NAME}
 * @param revision the revision asked for, or null for {@code main}
 */
public record HubModelId(String repo, String revision) {
    public static final String DEFAULT_REVISION = "main";
    /** What a user is told a hub id looks like. */
    public static final String FORM = "ORG/NAME[@REVISION]";

    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?");
    private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern WEIGHTS_FILE = Pattern.compile(
            "(?i).*\\.(safetensors|ckpt|bin|pt|pth|pkl|pickle|json|yaml)");
    private static final int MAX_REPO_LENGTH = 96;

    public HubModelId {
        if (!validRepo(repo)) {
            throw new IllegalArgumentException("not a Hugging Face repository id (" + FORM + "): " + repo);
        }
        if (revision != null && !validRevision(revision)) {
            throw new IllegalArgumentException(repo + ": not a valid revision: " + revision);
        }
    }

    /** The hub id a model name spells, if it is one (a name that is an existing path is the caller's to rule out). */
    public static Optional<HubModelId> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        int at = name.indexOf('@');
        String repo = at < 0 ? name : name.substring(0, at);
        String revision = at < 0 ? null : name.substring(at + 1);
        if (!validRepo(repo) || revision != null && !validRevision(revision)) {
            return Optional.empty();
        }
        return Optional.of(new HubModelId(repo, revision));
    }

    public static boolean isCommitHash(String revision) {
        return revision != null && COMMIT.matcher(revision).matches();
    }

    private static boolean validRepo(String repo) {
        if (repo == null || repo.length() > MAX_REPO_LENGTH || repo.contains("--") || repo.contains("..")
                || repo.endsWith(".git") || WEIGHTS_FILE.matcher(repo).matches()) {
            return false;
        }
        String[] parts = repo.split("/", -1);
        return parts.length == 2 && PART.matcher(parts[0]).matches() && PART.matcher(parts[1]).matches();
    }

    private static boolean validRevision(String revision) {
        return REVISION.matcher(revision).matches() && !revision.contains("..") && revision.length() <= 255;
    }

    /** The revision to resolve: the one asked for, or {@code main}. */
    public String revisionOrDefault() {
        return revision != null ? revision : DEFAULT_REVISION;
    }

    /** Whether the revision is a commit hash already: such an id means one snapshot forever. */
    public boolean pinned() {
        return isCommitHash(revision);
    }

    /** The same repository at {@code commit}. */
    public HubModelId at(String commit) {
        if (!isCommitHash(commit)) {
            throw new IllegalArgumentException(repo + ": not a commit hash: " + commit);
        }
        return new HubModelId(repo, commit);
    }

    /** The repository's folder in the hub cache, as huggingface_hub names it: {@code models--ORG--NAME}. */
    public String cacheFolderName() {
        return "models--" + repo.replace("/", "--");
    }

    @Override
    public String toString() {
        return revision == null ? repo : repo + "@" + revision;
    }
}
