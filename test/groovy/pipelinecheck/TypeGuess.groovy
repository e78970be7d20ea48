package pipelinecheck

import groovy.json.JsonSlurper
import groovy.json.internal.LazyMap
import org.codehaus.groovy.ast.ClassHelper
import org.codehaus.groovy.ast.ClassNode
import org.codehaus.groovy.ast.DynamicVariable
import org.codehaus.groovy.ast.Variable
import org.codehaus.groovy.ast.expr.BinaryExpression
import org.codehaus.groovy.ast.expr.BooleanExpression
import org.codehaus.groovy.ast.expr.CastExpression
import org.codehaus.groovy.ast.expr.ClosureExpression
import org.codehaus.groovy.ast.expr.ConstantExpression
import org.codehaus.groovy.ast.expr.ConstructorCallExpression
import org.codehaus.groovy.ast.expr.Expression
import org.codehaus.groovy.ast.expr.GStringExpression
import org.codehaus.groovy.ast.expr.ListExpression
import org.codehaus.groovy.ast.expr.MapExpression
import org.codehaus.groovy.ast.expr.MethodCallExpression
import org.codehaus.groovy.ast.expr.NotExpression
import org.codehaus.groovy.ast.expr.PropertyExpression
import org.codehaus.groovy.ast.expr.TernaryExpression
import org.codehaus.groovy.ast.expr.VariableExpression
import org.codehaus.groovy.syntax.Types

import java.util.regex.Matcher

/**
 * The static type of an expression where Groovy's source makes it plain: declared types, literals, casts, `new`, `=~`,
 * and the return type of a JDK/GDK method on a known receiver. Anything else (`def` locals assigned from unknown calls,
 * map values, closure parameters, properties of maps) is unknown: null. Classes of the library itself (src/) are PROJECT.
 */
class TypeGuess {
    /** Stands for a class compiled from the library's own sources (sandbox-permitted, CPS unless @NonCPS). */
    static final class Project {}
    static final Class PROJECT = Project

    final ClassLoader loader
    final Set<String> projectClasses
    /** Types of `def` locals, from their initializers (keyed by the declaring variable). */
    final Map<Variable, Class> inferred = new IdentityHashMap<>()
    /** The class being checked: a script's @Field is still a dynamic variable at semantic analysis. */
    ClassNode current

    TypeGuess(ClassLoader loader, Set<String> projectClasses) {
        this.loader = loader
        this.projectClasses = projectClasses
    }

    Class classOf(ClassNode node) {
        if (node == null) {
            return null
        }
        if (node.is(ClassHelper.DYNAMIC_TYPE)) {
            return null   // `def` or no type: unknown (a declared Object is kept: its methods are Object's and the GDK's)
        }
        ClassNode type = node.redirect()
        if (ClassHelper.isPrimitiveType(type)) {
            return ClassHelper.getWrapper(type).typeClass
        }
        if (type.name in projectClasses) {
            return PROJECT
        }
        try {
            return type.isResolved() ? type.typeClass : Class.forName(type.name, false, loader)
        } catch (ClassNotFoundException | LinkageError ignored) {
            return null
        }
    }

    /** True for a JDK or Groovy runtime class (what the sandbox checks), false for unknown or project types. */
    static boolean isRuntime(Class type) {
        type != null && type != PROJECT
    }

    /** True when any object may hide behind the type: unknown, declared Object, or a class of the library (CPS code). */
    static boolean isOpen(Class type) {
        type == null || type == Object || type == PROJECT
    }

    Class of(Expression e) {
        switch (e) {
            case ConstantExpression: return e.value == null ? null : e.value.getClass()
            case GStringExpression: return GString
            case ListExpression: return ArrayList
            case MapExpression: return LinkedHashMap
            case ClosureExpression: return Closure
            case CastExpression: return classOf(e.type)
            case ConstructorCallExpression: return classOf(e.type)
            case VariableExpression: return ofVariable(e)
            case BinaryExpression: return ofBinary(e)
            case NotExpression: return Boolean
            case BooleanExpression: return Boolean
            case TernaryExpression:
                Class yes = of(e.trueExpression)
                return yes == of(e.falseExpression) ? yes : null
            case MethodCallExpression: return ofCall(e)
            case PropertyExpression: return ofProperty(e)
            default: return null
        }
    }

    private Class ofVariable(VariableExpression e) {
        Variable v = e.accessedVariable
        if (v instanceof DynamicVariable && current?.getField(e.name)) {
            return classOf(current.getField(e.name).originType)
        }
        if (e.thisExpression || v == null || v instanceof DynamicVariable) {
            return null
        }
        return inferred.containsKey(v) ? inferred[v] : classOf(v.originType)
    }

    private Class ofBinary(BinaryExpression e) {
        int op = e.operation.type
        if (op == Types.FIND_REGEX) {
            return Matcher
        }
        if (op in [Types.MATCH_REGEX, Types.COMPARE_EQUAL, Types.COMPARE_NOT_EQUAL, Types.COMPARE_LESS_THAN,
                   Types.COMPARE_GREATER_THAN, Types.COMPARE_LESS_THAN_EQUAL, Types.COMPARE_GREATER_THAN_EQUAL,
                   Types.LOGICAL_AND, Types.LOGICAL_OR, Types.KEYWORD_INSTANCEOF, Types.KEYWORD_IN]) {
            return Boolean
        }
        Class left = of(e.leftExpression)
        if (op == Types.PLUS && left != null && CharSequence.isAssignableFrom(left)) {
            return String
        }
        return null
    }

    private Class ofCall(MethodCallExpression call) {
        Class receiver = call.implicitThis || call.spreadSafe ? null : of(call.objectExpression)
        String name = call.methodAsString
        if (isRuntime(receiver) && name) {
            if (JsonSlurper.isAssignableFrom(receiver) && name.startsWith('parse')) {
                return LazyMap   // JsonSlurper's maps (JsonSlurperClassic returns plain, serializable ones)
            }
            Class result = SandboxAllowlist.instanceCall(receiver, name, argumentTypes(call)).returnType
            if (result || receiver != Object) {
                return result
            }
        }
        String known = CpsRules.NOT_SERIALIZABLE_RESULTS[name]
        return known && !call.implicitThis ? Class.forName(known, false, loader) : null
    }

    private Class ofProperty(PropertyExpression e) {
        Class receiver = e.implicitThis ? null : of(e.objectExpression)
        String property = e.propertyAsString
        if (isOpen(receiver) || !property || Map.isAssignableFrom(receiver)) {
            return null
        }
        return SandboxAllowlist.instanceCall(receiver, 'get' + property.capitalize(), []).returnType
    }

    /** The guessed type of each argument (null where unknown). */
    List<Class> argumentTypes(Expression call) {
        PipelineCheck.arguments(call).collect { of(it) }
    }
}
