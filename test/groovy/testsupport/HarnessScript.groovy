package testsupport

/**
 * Base class of every vars/ script under test: a call that is neither a method of the script nor a
 * library variable goes to the harness, which records it and runs the registered mock.
 */
abstract class HarnessScript extends Script {
    Object methodMissing(String name, Object args) {
        PipelineHarness.of(binding).invokeStep(name, args as Object[])
    }
}
