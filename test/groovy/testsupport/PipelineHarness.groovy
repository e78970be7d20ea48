package testsupport

import groovy.json.JsonOutput
import hudson.AbortException
import org.codehaus.groovy.control.CompilerConfiguration

/**
 * A small pipeline test harness in the spirit of JenkinsPipelineUnit (which cannot be downloaded here).
 * It loads every vars/*.groovy as a global variable sharing one Binding, records each step call with its
 * arguments, runs the closures of block steps, serves libraryResource from the real resources/ folder and
 * throws NoSuchMethodError (as Jenkins does) for any step nobody registered.
 *
 * Agents: every `node` call is a new agent with a workspace of its own (a file not stashed there is not there), and
 * `stash`/`unstash` copy files between workspaces as Jenkins does; a real `sh` (runForReal) naming a path of another
 * node's workspace fails the test, since its process could read it here but not on an agent. `parallel` branches run as threads that take turns
 * like CPS: one runs at a time, and a branch gives the turn away when it enters a `stage` (so every branch starts its
 * first unit before any finishes, and a branch free again takes the next one).
 */
class PipelineHarness {
    static final File ROOT = new File(System.getProperty('repo.root') ?: '.').canonicalFile

    final List<StepCall> callStack = []
    final List<String> stages = []
    /** Stage name -> the result a step gave it (catchError stageResult, unstable). */
    final Map<String, String> stageResults = [:]
    static final List<String> RESULTS = ['SUCCESS', 'UNSTABLE', 'FAILURE', 'NOT_BUILT', 'ABORTED']
    /** Per branch (thread): the dir() stack, the current stage, the workspaces of the nodes it is in. */
    private final InheritableThreadLocal<Map> place = new InheritableThreadLocal<Map>() {
        @Override
        protected Map childValue(Map parent) { [dirs: new ArrayList(parent.dirs), stage: parent.stage, workspaces: new ArrayList(parent.workspaces)] }
    }
    /** Every node allocated: [label:, workspace:], in order. */
    final List<Map> nodes = []
    /** Stash name -> {relative path: content}. */
    final Map<String, Map<String, byte[]>> stashes = [:]
    /** The parallel branches (threads) in turn order: the first one runs, the others wait. */
    private final List<Thread> turns = []
    final Map<String, Closure> steps = [:]
    /** Like Jenkins' env global: values are stored as Strings. */
    final Map<String, Object> env = new LinkedHashMap<String, Object>() {
        @Override
        Object put(String key, Object value) { super.put(key, value?.toString()) }
    }
    final Map<String, Object> params = [:]
    final FakeBuild currentBuild = new FakeBuild()
    final Map<String, Object> credentials = [:]
    final StringBuilder log = new StringBuilder()
    final Binding binding = new Binding()
    final File workspace
    /** Receives every sh call; return an int status, a String stdout, or call runForReal(call). */
    Closure shHandler = { ShCall call -> throw new AssertionError("unexpected sh: ${call.script}") }
    /** The agent's own environment for real processes (e.g. AWS_ENDPOINT_URL of the local AWS); withEnv values win. */
    final Map<String, String> processEnv = [:]

    PipelineHarness(File workspace) {
        this.workspace = workspace.canonicalFile
        workspace.mkdirs()
        place.set([dirs: [], stage: null, workspaces: []])
        env.putAll(WORKSPACE: this.workspace.path, JOB_NAME: 'Admin_Jobs/ssm-multi-region-backup',
                BUILD_NUMBER: '42', BUILD_URL: 'https://jenkins.example.com/job/Admin_Jobs/job/ssm-multi-region-backup/42/')
        binding.setVariable('__harness', this)
        binding.setVariable('env', env)
        binding.setVariable('params', params)
        binding.setVariable('currentBuild', currentBuild)
        registerDefaults()
        loadLibrary()
    }

    static PipelineHarness of(Binding binding) { (PipelineHarness) binding.getVariable('__harness') }

    void registerAllowedMethod(String name, Closure implementation) { steps[name] = implementation }

    /** Loads vars/<name>.groovy for every step of the library, as Jenkins does for @Library. */
    private void loadLibrary() {
        CompilerConfiguration config = new CompilerConfiguration(scriptBaseClass: HarnessScript.name)
        GroovyShell shell = new GroovyShell(PipelineHarness.classLoader, binding, config)
        new File(ROOT, 'vars').listFiles().findAll { it.name.endsWith('.groovy') }.sort().each { File file ->
            String name = file.name - '.groovy'
            Script script = shell.parse(file.text, name)
            script.binding = binding
            binding.setVariable(name, new LibraryStep(this, name, script))
        }
    }

    LibraryStep step(String name) { (LibraryStep) binding.getVariable(name) }

    Object invokeStep(String name, Object[] args) {
        record(name, args)
        Closure implementation = steps[name]
        if (implementation == null) {
            throw new NoSuchMethodError("No such DSL method '${name}' found among steps ${steps.keySet().sort()}")
        }
        return implementation.call(*args)
    }

    void record(String name, Object[] args) { callStack << new StepCall(name, args.toList()) }

    List<StepCall> calls(String name) { callStack.findAll { it.name == name } }

    /** The call stack as readable lines, e.g. `sh({script=node "$SSM_ENGINE_CJS" plan, returnStatus=true})`. */
    List<String> callLines(Collection<String> names = null) {
        callStack.findAll { names == null || it.name in names }*.toString()
    }

    private void registerDefaults() {
        registerAllowedMethod('echo') { String message -> log << message << '\n' }
        registerAllowedMethod('error') { String message -> throw new AbortException(message) }
        registerAllowedMethod('isUnix') { -> true }
        registerAllowedMethod('stage') { String name, Closure body -> stages << name; place.get().stage = name; giveTurn(); body() }
        registerAllowedMethod('unstable') { String message -> log << 'WARNING: ' << message << '\n'; setResults('UNSTABLE', 'UNSTABLE') }
        registerAllowedMethod('catchError') { Map spec, Closure body -> catchError(spec, body) }
        registerAllowedMethod('dir') { String path, Closure body -> inDir(path, body) }
        registerAllowedMethod('deleteDir') { -> file(place.get().dirs ? place.get().dirs[-1] : here().path).deleteDir() }
        registerAllowedMethod('timeout') { Object spec, Closure body -> body() }
        registerAllowedMethod('node') { Object label, Closure body -> onNode(label?.toString(), body) }
        registerAllowedMethod('stash') { Map spec -> stash(spec) }
        registerAllowedMethod('unstash') { String name -> unstash(name) }
        registerAllowedMethod('nodejs') { Map spec, Closure body -> withEnvironment(['PATH+NODEJS=/opt/nodejs/bin']) { body() } }
        registerAllowedMethod('withEnv') { List entries, Closure body -> withEnvironment(entries.collect { it.toString() }, body) }
        registerAllowedMethod('withCredentials') { List bindings, Closure body -> withEnvironment(bindCredentials(bindings), body) }
        registerAllowedMethod('string') { Map spec -> [$class: 'StringBinding'] + spec }
        registerAllowedMethod('choice') { Map spec -> [$class: 'ChoiceParameterDefinition'] + spec }
        registerAllowedMethod('parallel') { Map branches -> runParallel(branches) }
        registerAllowedMethod('pwd') { Map spec = [:] -> spec.tmp ? tmpDir().path : here().path }
        registerAllowedMethod('writeFile') { Map spec -> file(spec.file).with { parentFile.mkdirs(); setText(spec.text.toString(), 'UTF-8') } }
        registerAllowedMethod('readFile') { Object spec -> file(spec instanceof Map ? spec.file : spec).getText('UTF-8') }
        registerAllowedMethod('fileExists') { Object spec -> file(spec instanceof Map ? spec.file : spec).exists() }
        registerAllowedMethod('readJSON') { Map spec -> readJson(spec) }
        registerAllowedMethod('writeJSON') { Map spec -> writeJson(spec) }
        registerAllowedMethod('libraryResource') { String path -> libraryResource(path) }
        registerAllowedMethod('archiveArtifacts') { Map spec -> archive(spec) }
        registerAllowedMethod('sh') { Object spec -> runSh(spec instanceof Map ? spec : [script: spec]) }
    }

    /** catchError as Jenkins runs it: an error is logged, the stage gets stageResult, the build the worse of buildResult. */
    private Object catchError(Map spec, Closure body) {
        try {
            return body()
        } catch (AbortException e) {
            log << e.message << '\n'
            setResults(spec.buildResult?.toString() ?: 'FAILURE', spec.stageResult?.toString() ?: 'SUCCESS')
        }
        null
    }

    private void setResults(String buildResult, String stageResult) {
        if (stageResult != 'SUCCESS') {
            stageResults[place.get().stage] = stageResult
        }
        if (RESULTS.indexOf(buildResult) > RESULTS.indexOf(currentBuild.currentResult)) {
            currentBuild.result = buildResult
        }
    }

    private Object inDir(String path, Closure body) {
        List<String> dirs = place.get().dirs
        dirs << file(path).path
        try {
            return body()
        } finally {
            dirs.remove(dirs.size() - 1)
        }
    }

    /** The workspace of the node the current branch is in (the harness's own outside any node). */
    File here() { place.get().workspaces ? place.get().workspaces[-1] : workspace }

    File tmpDir() { new File(here().path + '@tmp').with { mkdirs(); it } }

    File file(Object path) {
        File f = new File(path.toString())
        f.absolute ? f : new File(here(), path.toString())
    }

    /** A new agent: a fresh workspace (and env.WORKSPACE) for the body. */
    private Object onNode(String label, Closure body) {
        File agent = new File(workspace.parentFile, "${workspace.name}-agent${nodes.size() + 1}")
        agent.mkdirs()
        nodes << [label: label, workspace: agent]
        List<File> workspaces = place.get().workspaces
        workspaces << agent
        try {
            return withEnvironment(["WORKSPACE=${agent.path}".toString()], body)
        } finally {
            workspaces.remove(workspaces.size() - 1)
        }
    }

    /** stash(name:, includes: 'a/b.json,c/*.json'): Ant-style globs relative to the workspace; none matching is an error. */
    private void stash(Map spec) {
        List<java.nio.file.PathMatcher> matchers = spec.includes.toString().split(',').collect {
            java.nio.file.FileSystems.default.getPathMatcher("glob:${it.trim()}")
        }
        Map<String, byte[]> files = [:]
        here().eachFileRecurse { File f ->
            String relative = here().toPath().relativize(f.toPath()).toString()
            if (f.file && matchers.any { it.matches(java.nio.file.Paths.get(relative)) }) {
                files[relative] = f.bytes
            }
        }
        if (!files && !spec.allowEmpty) {
            throw new AbortException("No files included in stash '${spec.name}'")
        }
        stashes[spec.name.toString()] = files
    }

    private void unstash(String name) {
        Map<String, byte[]> files = stashes[name]
        if (files == null) {
            throw new AbortException("No such saved stash '${name}'")
        }
        files.each { String relative, byte[] bytes -> file(relative).with { parentFile.mkdirs(); setBytes(bytes) } }
    }

    /** A parallel branch gives the turn to the next branch and waits until every other branch had its turn. */
    private void giveTurn() {
        synchronized (turns) {
            Thread me = Thread.currentThread()
            if (turns.remove(me)) {
                turns << me
                turns.notifyAll()
                waitForTurn(me)
            }
        }
    }

    /** Called holding the monitor of turns. */
    private void waitForTurn(Thread me) {
        while (turns[0] != me) {
            turns.wait()
        }
    }

    /** withEnv semantics: KEY=value sets, PATH+NAME=dir prepends to PATH; restored afterwards. */
    Object withEnvironment(List<String> entries, Closure body) {
        Map<String, Object> saved = new LinkedHashMap(env)
        entries.each { String entry ->
            int eq = entry.indexOf('=')
            String key = entry.substring(0, eq)
            String value = entry.substring(eq + 1)
            if (key.contains('+')) {
                String target = key.substring(0, key.indexOf('+'))
                String current = env[target] ?: System.getenv(target) ?: ''
                env[target] = current ? "${value}${File.pathSeparator}${current}".toString() : value
            } else {
                env[key] = value
            }
        }
        try {
            return body()
        } finally {
            env.clear()
            env.putAll(saved)
        }
    }

    private List<String> bindCredentials(List bindings) {
        bindings.collectMany { Map b ->
            Object secret = credentials[b.credentialsId]
            if (secret == null) {
                throw new AbortException("Could not find credentials entry with ID '${b.credentialsId}'")
            }
            if (b.'$class' == 'AmazonWebServicesCredentialsBinding') {
                return ["AWS_ACCESS_KEY_ID=${secret.accessKey}".toString(), "AWS_SECRET_ACCESS_KEY=${secret.secretKey}".toString()]
            }
            ["${b.variable}=${secret}".toString()]
        }
    }

    /** Each branch in a thread; they take turns (giveTurn), in the order given. Jenkins' failFast is not modelled. */
    private Object runParallel(Map branches) {
        if (branches.failFast) {
            throw new AssertionError('parallel failFast: true is not modelled by the harness')
        }
        List<Throwable> thrown = Collections.synchronizedList([])
        List<Thread> threads = branches.findAll { it.key != 'failFast' }.collect { String name, Closure body ->
            new Thread({
                Thread me = Thread.currentThread()
                synchronized (turns) { waitForTurn(me) }
                try {
                    body()
                } catch (Throwable e) {
                    thrown << e
                } finally {
                    synchronized (turns) { turns.remove(me); turns.notifyAll() }
                }
            } as Runnable, "branch ${name}")
        }
        synchronized (turns) { turns.addAll(threads) }
        threads*.start()
        threads*.join()
        if (thrown) {
            throw thrown[0]
        }
        null
    }

    private Object readJson(Map spec) {
        String text = spec.text != null ? spec.text : file(spec.file).getText('UTF-8')
        OrderedJson.parse(text)
    }

    private void writeJson(Map spec) {
        String text = spec.pretty ? JsonOutput.prettyPrint(JsonOutput.toJson(spec.json)) : JsonOutput.toJson(spec.json)
        file(spec.file).with { parentFile.mkdirs(); setText(text, 'UTF-8') }
    }

    private String libraryResource(String path) {
        File resource = new File(ROOT, "resources/${path}")
        if (!resource.file) {
            throw new AbortException("No such library resource ${path} could be found.")
        }
        resource.getText('UTF-8')
    }

    private void archive(Map spec) {
        spec.artifacts.toString().split(',').each { String pattern ->
            if (!file(pattern.trim()).exists() && !spec.allowEmptyArchive) {
                throw new AbortException("No artifacts found that match the file pattern \"${pattern}\"")
            }
        }
    }

    private Object runSh(Map spec) {
        ShCall call = new ShCall(script: spec.script.toString(), env: new LinkedHashMap(env),
                returnStatus: spec.returnStatus as boolean, returnStdout: spec.returnStdout as boolean)
        Object outcome = shHandler.call(call)
        int status = outcome instanceof Integer ? (int) outcome : 0
        String stdout = outcome instanceof CharSequence ? outcome.toString() : ''
        if (outcome instanceof ShResult) {
            status = outcome.status
            stdout = outcome.stdout
        }
        if (call.returnStatus) {
            return status
        }
        if (status != 0) {
            throw new AbortException("script returned exit code ${status}")
        }
        call.returnStdout ? stdout : null
    }

    /** Runs the sh script for real with `sh -c` in the workspace, with the withEnv environment (see RealSh). */
    ShResult runForReal(ShCall call) { new RealSh(this).run(call) { false } }

    /** Runs the sh script for real and aborts it, as Jenkins does, once abortWhen() answers true (see RealSh). */
    ShResult runForReal(ShCall call, Closure<Boolean> abortWhen) { new RealSh(this).run(call, abortWhen) }

    /** Calls a library step as a Jenkinsfile would; a thrown error marks the build FAILURE (or ABORTED). */
    Object run(String stepName, Map args) {
        try {
            return step(stepName).call(args)
        } catch (InterruptedException e) {
            currentBuild.result = 'ABORTED'
            throw e
        } catch (Throwable t) {
            currentBuild.result = 'FAILURE'
            throw t
        }
    }

    /** Every argument ever passed to a step, flattened to text (to prove secrets never appear). */
    String allArgumentsText() { callStack*.toString().join('\n') }
}

/** One recorded step call. */
class StepCall {
    final String name
    final List<Object> args

    StepCall(String name, List<Object> args) {
        this.name = name
        this.args = args
    }

    Map getNamedArgs() { args && args[0] instanceof Map ? (Map) args[0] : [:] }

    String toString() {
        "${name}(${args.findAll { !(it instanceof Closure) }.collect { it instanceof Map ? "{${it.collect { k, v -> "${k}=${v}" }.join(', ')}}" : it.toString() }.join(', ')})"
    }
}

class ShCall {
    String script
    Map<String, Object> env
    boolean returnStatus
    boolean returnStdout
}

class ShResult {
    int status
    String stdout
}

/** The parts of currentBuild (RunWrapper) the library reads or writes. */
class FakeBuild {
    String result
    String description
    String displayName = '#42'
    int number = 42
    long duration = 125000L
    String absoluteUrl = 'https://jenkins.example.com/job/Admin_Jobs/job/ssm-multi-region-backup/42/'

    /** getBuildCauses(): the causes as Jenkins gives them (JSON of each Cause: _class, shortDescription, userId, userName). */
    List<Map> buildCauses = [[_class: 'hudson.model.Cause$UserIdCause', shortDescription: 'Started by user Jane Doe', userId: 'jdoe', userName: 'Jane Doe']]

    String getCurrentResult() { result ?: 'SUCCESS' }

    List<Map> getBuildCauses() { buildCauses }
}

/** A global variable of the library: `name(args)` runs its call(), `name.method()` any other method. */
class LibraryStep {
    final PipelineHarness harness
    final String name
    final Script script

    LibraryStep(PipelineHarness harness, String name, Script script) {
        this.harness = harness
        this.name = name
        this.script = script
    }

    Object call(Object... args) {
        harness.record(name, args)
        script.invokeMethod('call', args)
    }

    Object methodMissing(String method, Object args) { script.invokeMethod(method, args) }
}
