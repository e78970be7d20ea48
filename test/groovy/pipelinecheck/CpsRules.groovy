package pipelinecheck

/**
 * What Jenkins' CPS interpreter and script-security's sandbox refuse, as name lists the checker (PipelineCheck) applies.
 * Each list names its source. Nothing here runs Jenkins: the lists stand in for it, and the README says where they are
 * not exact.
 */
class CpsRules {
    /**
     * GDK methods that groovy-cps translates, so a CPS closure passed to them runs as CPS code.
     * Source: jenkinsci/workflow-cps-plugin, dgm-builder/src/main/resources/com/cloudbees/groovy/cps/tool/translatable.txt
     * (the DefaultGroovyMethods signatures compiled into CpsDefaultGroovyMethods; JENKINS-26481, fixed 2017) and
     * lib/src/test/java/com/cloudbees/groovy/cps/CpsDefaultGroovyMethodsTest.java, which runs each of these with a CPS
     * closure and checks its result. translatable.txt holds no StringGroovyMethods entry: String methods taking a
     * closure (find/findAll with a regex, eachLine, replaceAll, ...) are not translated.
     */
    static final Set<String> TRANSLATED = ['any', 'collect', 'collectEntries', 'collectMany', 'collectNested', 'combinations',
            'count', 'countBy', 'each', 'eachPermutation', 'eachWithIndex', 'every', 'find', 'findAll', 'findIndexOf',
            'findIndexValues', 'findLastIndexOf', 'findResult', 'findResults', 'flatten', 'groupBy', 'groupEntriesBy', 'inject',
            'max', 'min', 'permutations', 'removeAll', 'retainAll', 'reverseEach', 'split', 'sum', 'with', 'identity',
            'withDefault', 'withEagerDefault', 'withLazyDefault', 'times', 'upto', 'downto', 'step', 'eachByte',
            'eachCombination'] as Set

    /**
     * Methods whose closure argument does not run as CPS code, whatever the receiver. sort/toSorted/unique are listed in
     * translatable.txt but hand the closure to OrderBy/ClosureComparator, which are not translated: the groovy-cps test
     * keeps their cases commented out ("TODO would need to translate OrderBy and ClosureComparator"), likewise max/min
     * with a two-argument comparator closure, takeWhile/dropWhile/toUnique ("waiting for ... support"). Jenkins documents
     * the failure (https://www.jenkins.io/doc/book/pipeline/cps-method-mismatches/, "Calling non-CPS-transformed methods
     * with CPS-transformed arguments"): the closure runs once and the call returns a wrong result, or the build aborts.
     * CodeNarc 3.4+ ForbiddenCallInCpsMethod flags sort, toSorted and eachLine with a closure for the same reason.
     */
    static final Set<String> NEVER_CPS = ['sort', 'toSorted', 'unique', 'toUnique', 'takeWhile', 'dropWhile', 'eachLine',
            'splitEachLine', 'eachMatch', 'replaceAll', 'replaceFirst', 'withReader', 'withWriter', 'withInputStream',
            'withOutputStream', 'withStream', 'withStreams', 'eachFile', 'eachFileRecurse', 'eachDir', 'eachObject'] as Set

    /** max/min take either a one-argument key closure (translated) or a two-argument comparator (not translated). */
    static final Set<String> KEY_OR_COMPARATOR = ['max', 'min'] as Set

    /**
     * Pipeline steps the library calls (Jenkins step names, from the plugins in README "Plugins") plus common ones.
     * A step called from @NonCPS code fails at run time (cps-method-mismatches, "Use of Pipeline steps from @NonCPS").
     */
    static final Set<String> STEPS = ['sh', 'bat', 'echo', 'error', 'writeFile', 'readFile', 'readJSON', 'writeJSON',
            'fileExists', 'pwd', 'libraryResource', 'withEnv', 'withCredentials', 'node', 'nodejs', 'stage', 'timeout',
            'parallel', 'archiveArtifacts', 'emailext', 'mail', 'catchError', 'warnError', 'string', 'usernamePassword',
            'file', 'slackSend', 'junit', 'unstable', 'dir', 'deleteDir', 'input', 'sleep', 'retry', 'waitUntil', 'build',
            'checkout', 'stash', 'unstash', 'tool', 'isUnix', 'lock', 'load', 'println', 'print', 'printf', 'choice'] as Set

    /**
     * Types that are not Serializable: a CPS program saves every local in scope when a step suspends it
     * (NotSerializableException). Matched by class or supertype name.
     */
    static final List<String> NOT_SERIALIZABLE = ['java.util.regex.Matcher', 'java.util.Iterator', 'java.util.Enumeration',
            'java.util.Scanner', 'java.io.InputStream', 'java.io.OutputStream', 'java.io.Reader', 'java.io.Writer',
            'java.util.stream.BaseStream', 'java.lang.Process', 'java.lang.Thread', 'java.net.URLConnection',
            'java.net.Socket', 'groovy.json.JsonSlurper', 'groovy.json.internal.LazyMap', 'groovy.util.slurpersupport.GPathResult',
            'groovy.util.XmlSlurper']

    /**
     * Calls whose result is taken as not serializable when the receiver's type is unknown (`text =~ re` and
     * JsonSlurper.parse* are handled apart; on a known receiver the method's declared return type decides).
     */
    static final Map<String, String> NOT_SERIALIZABLE_RESULTS = [iterator: 'java.util.Iterator', listIterator: 'java.util.Iterator',
            matcher: 'java.util.regex.Matcher', newReader: 'java.io.Reader', newWriter: 'java.io.Writer',
            newInputStream: 'java.io.InputStream', newOutputStream: 'java.io.OutputStream', stream: 'java.util.stream.BaseStream',
            parallelStream: 'java.util.stream.BaseStream', lines: 'java.util.stream.BaseStream', parseText: 'groovy.json.internal.LazyMap']

    /**
     * Refused outright: the sandbox rejects them (script-security's blacklist and whitelists hold none of them) or they
     * run on the controller rather than the agent (files, environment, processes, threads).
     */
    static final Map<String, String> REFUSED_TYPES = [
            'java.lang.System': 'reads or changes the controller JVM: use env, currentBuild or the engine',
            'java.lang.Runtime': 'runs on the controller and is refused by the sandbox',
            'java.lang.Thread': 'threads break CPS and are refused by the sandbox: use sleep or parallel',
            'java.lang.ProcessBuilder': 'runs a process on the controller: use sh',
            'java.io.File': 'files on the controller, not the agent: use readFile/writeFile/fileExists',
            'java.io.FileReader': 'files on the controller, not the agent: use readFile',
            'java.io.FileWriter': 'files on the controller, not the agent: use writeFile',
            'java.io.FileInputStream': 'files on the controller, not the agent: use readFile',
            'java.io.FileOutputStream': 'files on the controller, not the agent: use writeFile',
            'java.io.RandomAccessFile': 'files on the controller, not the agent',
            'java.nio.file.Files': 'files on the controller, not the agent: use readFile/writeFile',
            'java.nio.file.Paths': 'files on the controller, not the agent',
            'groovy.lang.GroovyShell': 'evaluates code outside the sandbox',
            'groovy.lang.GroovyClassLoader': 'loads code outside the sandbox']
    static final Map<String, String> REFUSED_METHODS = [
            execute: 'starts a process on the controller (refused by the sandbox): use sh',
            evaluate: 'evaluates code outside the CPS program (refused by the sandbox)',
            getClassLoader: 'class loaders are refused by the sandbox', forName: 'Class.forName is refused by the sandbox']
}
