import groovy.transform.Field

// Shared launcher of the bundled ssm-backup engine (see ssmBackupEngine.txt). No AWS or region logic here.
@Field static final String ENGINE_RESOURCE = 'ssm-multi-region-backup/ssm-backup.cjs'
@Field static final List<String> COMMANDS = ['plan', 'check', 'backup', 'merge-summaries', 'notify', 'restore', 'verify', 'list', 'diff', 'status']
@Field static final String NODE_CHECK = 'command -v node >/dev/null 2>&1 && node -e \'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 3)\''
/** With a deadline the engine runs under coreutils timeout: TERM at the deadline, KILL 30 s later (exit 124 or 137). */
@Field static final String DEADLINE = 'timeout -k 30 "$SSM_ENGINE_DEADLINE_SEC" '

/** Runs one engine command; returns [exitCode: int, error: Map or null] (error from the engine's error file). */
Map call(Map args) {
    if (!(args.command in COMMANDS)) {
        error("ssmBackupEngine: unknown command '${args.command}'; valid commands: ${COMMANDS.join(', ')}")
    }
    String dir = "${pwd(tmp: true)}/ssm-backup/${args.name ?: args.command}", engine = "${dir}/ssm-backup.cjs", errorFile = "${dir}/error.json"
    writeFile(file: engine, text: libraryResource(ENGINE_RESOURCE))
    writeFile(file: errorFile, text: '')
    List<String> engineEnv = ["SSM_ENGINE_CJS=${engine}", "SSM_BACKUP_ERROR_FILE=${errorFile}"] + (args.env ?: [])
    int minutes = (args.deadlineMinutes ?: 0) as int
    int status = -1
    withNode(args.nodejs as String) {
        withAws(args.credentialsId as String, args.bindings ?: []) {
            withEnv(engineEnv + (minutes ? ["SSM_ENGINE_DEADLINE_SEC=${minutes * 60}"] : [])) {
                status = sh(script: (minutes ? DEADLINE : '') + 'node "$SSM_ENGINE_CJS" ' + args.command, returnStatus: true)
            }
        }
    }
    String details = status == 0 ? '' : readFile(errorFile).trim()
    Map failure = status == 0 ? null : (details ? readJSON(text: details, returnPojo: true) : [message: "engine exited with code ${status}".toString()])
    return [exitCode: status, error: failure, deadlineMinutes: minutes ?: null]
}

/** Runs body with Node.js >= 20 on PATH: the agent's own, or the NodeJS plugin installation named by nodejs. */
def withNode(String nodejsTool, Closure body) {
    if (nodejsTool) {
        return nodejs(nodeJSInstallationName: nodejsTool) { checkNode(nodejsTool); body() }
    }
    checkNode(null)
    return body()
}

void checkNode(String nodejsTool) {
    if (sh(script: NODE_CHECK, returnStatus: true) != 0) {
        String where = nodejsTool ? "the NodeJS installation '${nodejsTool}'" : 'this agent (PATH)'
        error("ssm-backup needs Node.js >= 20 but 'node' is missing or older on ${where}. Install Node.js 20+ on the agent, " +
                "or set the `nodejs` option to the name of a NodeJS tool installation (NodeJS plugin, Manage Jenkins > Tools).")
    }
}

/** Runs body on a node with that label, or where the caller already is when no label is given. */
def onAgent(String label, Closure body) {
    return label ? node(label) { body() } : body()
}

/** Binds AWS credentials (when an id is given; otherwise the agent's role is used) and any extra bindings. */
def withAws(String credentialsId, List bindings, Closure body) {
    List all = credentialsId ? [[$class: 'AmazonWebServicesCredentialsBinding', credentialsId: credentialsId]] + bindings : bindings
    return all ? withCredentials(all) { body() } : body()
}
