package dev.ldmforge.runtime.hub;

/**
 * A child JVM for the concurrency test: fetches one model with the hub settings of its environment
 * ({@code HF_ENDPOINT}, {@code HF_HUB_CACHE}) and prints the snapshot folder.
 */
public final class HubFetchMain {
    private HubFetchMain() {
    }

    public static void main(String[] args) {
        HubModels hub = new HubModels(HubSettings.fromEnvironment());
        System.out.println(hub.snapshot(HubModelId.parse(args[0]).orElseThrow(), null, HubModels.Fetch.ALL).folder());
    }
}
