package pipelinecheck

import org.codehaus.groovy.ast.ClassHelper
import org.codehaus.groovy.runtime.DefaultGroovyMethods
import org.codehaus.groovy.runtime.StringGroovyMethods

import java.lang.reflect.Method
import java.lang.reflect.Modifier

/**
 * The project's sandbox allowlist (sandbox-allowlist.txt): the script-security signatures our Groovy uses, each copied
 * from script-security's generic-whitelist or jenkins-whitelist. Signatures use script-security's format
 * (`method <declaring class> <name> <parameter types>`, `staticMethod ...`, `new ...`).
 *
 * A call is matched the way script-security's SandboxInterceptor resolves it, from the receiver's static type instead of
 * its run-time class: GroovyCallSiteSelector visits the receiver's supertypes first and takes the first type declaring a
 * method of that name that fits the arguments; when there is none, the GDK method (DefaultGroovyMethods, then
 * StringGroovyMethods) whose self type fits. An argument's type is used when it is known (literals, closures, declared
 * types); otherwise every overload of the right arity is a candidate. The call passes when one candidate is listed.
 */
class SandboxAllowlist {
    static final List<Class> GDK = [DefaultGroovyMethods, StringGroovyMethods]

    final Set<String> signatures

    SandboxAllowlist(File file) {
        signatures = file.readLines()*.trim().findAll { it && !it.startsWith('#') } as Set
    }

    /** [signatures: candidates (empty when no such method), returnType: Class or null when the candidates disagree]. */
    static Map instanceCall(Class receiver, String name, List<Class> args) {
        for (Class type in supertypesFirst(receiver)) {
            List<Method> found = type.declaredMethods.findAll { it.name == name && !Modifier.isStatic(it.modifiers) && fits(it.parameterTypes as List, it.varArgs, args) }
            if (found) {
                return candidates(found, 'method', type)
            }
        }
        List<Method> gdk = []
        for (Class helper in GDK) {
            gdk += helper.methods.findAll {
                it.name == name && Modifier.isStatic(it.modifiers) && it.parameterTypes.length > 0 &&
                        it.parameterTypes[0].isAssignableFrom(receiver) && fits(it.parameterTypes.drop(1) as List, it.varArgs, args)
            }
        }
        // The most specific self types win, as GroovyCallSiteSelector.staticMethod picks the most specific overload.
        List<Method> specific = gdk.findAll { m -> !gdk.any { o -> o != m && m.parameterTypes[0] != o.parameterTypes[0] &&
                m.parameterTypes[0].isAssignableFrom(o.parameterTypes[0]) } }
        return specific ? candidates(specific, 'staticMethod', null) : [signatures: [], returnType: null]
    }

    static Map staticCall(Class owner, String name, List<Class> args) {
        candidates(owner.methods.findAll { it.name == name && Modifier.isStatic(it.modifiers) && fits(it.parameterTypes as List, it.varArgs, args) },
                'staticMethod', null)
    }

    static Map constructorCall(Class type, List<Class> args) {
        List<String> found = type.constructors.findAll { fits(it.parameterTypes as List, it.varArgs, args) }
                .collect { (['new', name(type)] + it.parameterTypes.collect { name(it) }).join(' ') }
        return [signatures: found, returnType: type]
    }

    boolean permits(Map call) {
        call.signatures.any { it in signatures }
    }

    /** script-security's EnumeratingWhitelist.getName: arrays as `component[]`, nested classes with `$`. */
    static String name(Class type) {
        type.isArray() ? name(type.componentType) + '[]' : type.name
    }

    /** Supertypes first, as GroovyCallSiteSelector.visitTypes orders them. */
    static List<Class> supertypesFirst(Class type) {
        Set<Class> seen = new LinkedHashSet<>()
        visit(seen, type)
        return seen as List
    }

    private static void visit(Set<Class> seen, Class type) {
        if (type.superclass) {
            visit(seen, type.superclass)
        }
        type.interfaces.each { visit(seen, it) }
        seen << type
    }

    private static Map candidates(List<Method> methods, String kind, Class declaring) {
        List<String> found = methods.collect { m ->
            ([kind, name(declaring ?: m.declaringClass), m.name] + m.parameterTypes.collect { name(it) }).join(' ')
        }
        Set<Class> returns = methods*.returnType as Set
        return [signatures: found, returnType: returns.size() == 1 && returns[0] != Object ? returns[0] : null]
    }

    /** Arity, then each argument whose type is known (null: unknown) against its parameter, as Groovy would pass it. */
    private static boolean fits(List<Class> parameters, boolean varArgs, List<Class> args) {
        if (!(parameters.size() == args.size() || (varArgs && args.size() >= parameters.size() - 1))) {
            return false
        }
        int fixed = varArgs ? parameters.size() - 1 : parameters.size()
        return (0..<Math.min(fixed, args.size())).every { int i -> accepts(parameters[i], args[i]) }
    }

    private static boolean accepts(Class parameter, Class argument) {
        if (argument == null || parameter.isAssignableFrom(argument)) {
            return true
        }
        if (parameter.primitive) {
            return ClassHelper.getWrapper(ClassHelper.make(parameter)).typeClass == argument ||
                    (Number.isAssignableFrom(argument) && parameter != boolean && parameter != char)
        }
        return GString.isAssignableFrom(argument) && parameter.isAssignableFrom(String)
    }
}
