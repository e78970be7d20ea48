package testsupport

import org.codehaus.groovy.control.CompilerConfiguration

/**
 * A recording stand-in for the Job DSL: runs a seed script and records every DSL call as a tree of DslNodes.
 * Only the methods listed in SCHEMA (the Job DSL API the seed uses, per context) are accepted, so a misspelt
 * or misplaced DSL method fails the test instead of being recorded silently.
 */
class JobDslRecorder {
    static final String LIBRARY = 'folder.properties.folderLibraries.libraries.libraryConfiguration'
    static final String CPS_SCM = 'pipelineJob.definition.cpsScm'
    static final Map<String, List<String>> SCHEMA = [
            '': ['folder', 'pipelineJob'],
            'folder': ['displayName', 'description', 'properties'],
            'folder.properties': ['folderLibraries'],
            'folder.properties.folderLibraries': ['libraries'],
            'folder.properties.folderLibraries.libraries': ['libraryConfiguration'],
            (LIBRARY): ['name', 'defaultVersion', 'allowVersionOverride', 'implicit', 'includeInChangesets', 'retriever'],
            (LIBRARY + '.retriever'): ['modernSCM'],
            (LIBRARY + '.retriever.modernSCM'): ['scm', 'libraryPath'],
            (LIBRARY + '.retriever.modernSCM.scm'): ['git'],
            (LIBRARY + '.retriever.modernSCM.scm.git'): ['remote', 'credentialsId', 'id', 'traits'],
            'pipelineJob': ['displayName', 'description', 'parameters', 'logRotator', 'throttleConcurrentBuilds', 'properties', 'definition'],
            'pipelineJob.parameters': ['choiceParam', 'booleanParam', 'stringParam', 'credentialsParam'],
            'pipelineJob.parameters.credentialsParam': ['type', 'required', 'defaultValue', 'description'],
            'pipelineJob.logRotator': ['daysToKeep', 'numToKeep', 'artifactDaysToKeep', 'artifactNumToKeep'],
            'pipelineJob.throttleConcurrentBuilds': ['maxTotal', 'maxPerNode', 'categories'],
            'pipelineJob.properties': ['pipelineTriggers', 'disableConcurrentBuilds', 'durabilityHint'],
            'pipelineJob.properties.pipelineTriggers': ['triggers'],
            'pipelineJob.properties.pipelineTriggers.triggers': ['cron'],
            'pipelineJob.properties.pipelineTriggers.triggers.cron': ['spec'],
            'pipelineJob.definition': ['cpsScm'],
            (CPS_SCM): ['scm', 'scriptPath', 'lightweight'],
            (CPS_SCM + '.scm'): ['git'],
            (CPS_SCM + '.scm.git'): ['remote', 'branch', 'branches', 'extensions'],
            (CPS_SCM + '.scm.git.remote'): ['url', 'credentials', 'name'],
    ]

    /** Runs the seed script with these variables (the seed job's parameters/environment); returns the root node. */
    static DslNode run(File seed, Map<String, Object> variables = [:]) {
        DslNode root = new DslNode('', [])
        Binding binding = new Binding(new LinkedHashMap(variables))
        binding.setVariable('__dslRoot', new DslContext(root, ''))
        GroovyShell shell = new GroovyShell(JobDslRecorder.classLoader, binding, new CompilerConfiguration(scriptBaseClass: DslScript.name))
        shell.evaluate(seed)
        root
    }
}

/** Base class of the seed script under test: top-level DSL calls go to the root context. */
abstract class DslScript extends Script {
    Object methodMissing(String name, Object args) {
        ((DslContext) binding.getVariable('__dslRoot')).invokeMethod(name, args)
    }
}

class DslContext {
    final DslNode node
    final String path

    DslContext(DslNode node, String path) {
        this.node = node
        this.path = path
    }

    Object methodMissing(String name, Object args) {
        List<String> allowed = JobDslRecorder.SCHEMA[path]
        if (allowed == null || !(name in allowed)) {
            throw new MissingMethodException(name, DslContext, args as Object[])
        }
        List argList = (args as Object[]).toList()
        Closure body = argList && argList.last() instanceof Closure ? (Closure) argList.last() : null
        DslNode child = new DslNode(name, body ? argList[0..<-1] : argList)
        node.children << child
        if (body) {
            String childPath = path ? "${path}.${name}" : name
            body.delegate = new DslContext(child, childPath)
            body.resolveStrategy = Closure.DELEGATE_FIRST
            body()
        }
        child
    }
}

/** One recorded DSL call: its name, its arguments (closure excluded) and the calls made inside its closure. */
class DslNode {
    final String name
    final List args
    final List<DslNode> children = []

    DslNode(String name, List args) {
        this.name = name
        this.args = args
    }

    Object getArg() { args ? args[0] : null }

    List<DslNode> all(String childName) { children.findAll { it.name == childName } }

    /** The single descendant at this dotted path, e.g. node('properties.folderLibraries'). */
    DslNode node(String dotted) {
        dotted.tokenize('.').inject(this) { DslNode current, String part ->
            List<DslNode> found = current.all(part)
            assert found.size() == 1: "expected one '${part}' under '${current.name}', found ${found.size()}"
            found[0]
        }
    }

    Object value(String dotted) { node(dotted).arg }
}
