package pipelinecheck

import org.codehaus.groovy.ast.ClassNode
import org.codehaus.groovy.ast.CodeVisitorSupport
import org.codehaus.groovy.ast.DynamicVariable
import org.codehaus.groovy.ast.MethodNode
import org.codehaus.groovy.ast.expr.BinaryExpression
import org.codehaus.groovy.ast.expr.ConstantExpression
import org.codehaus.groovy.ast.expr.Expression
import org.codehaus.groovy.ast.expr.MethodCallExpression
import org.codehaus.groovy.ast.expr.VariableExpression
import org.codehaus.groovy.ast.stmt.ExpressionStatement
import org.codehaus.groovy.ast.stmt.Statement
import org.codehaus.groovy.syntax.Types

/**
 * Which calls are pipeline steps or CPS code. A call on the script itself (implicit `this`) is a step, another global
 * variable of vars/ or a method of the same script/class; a call on a receiver of unknown type (`script.sh(...)` from a
 * src/ class, `env`, a global variable) may be one too. Methods marked @NonCPS in the same class or in a global variable
 * are known not to suspend the program.
 */
class Steps {
    final TypeGuess types
    final Map<String, ClassNode> globals
    ClassNode current

    Steps(TypeGuess types, Map<String, ClassNode> globals) {
        this.types = types
        this.globals = globals
    }

    /** For @NonCPS code: true when the call is a known step, another global variable, or a CPS method of this class or of a global. */
    boolean isStep(MethodCallExpression call, boolean onThis, Class receiver) {
        String name = call.methodAsString
        if (onThis) {
            return name in CpsRules.STEPS || globals.containsKey(name) || isCps(current, name)
        }
        String global = globalReceiver(call)
        if (global) {
            return isCps(globals[global], name)
        }
        return TypeGuess.isOpen(receiver) && name in CpsRules.STEPS
    }

    /** The first call in these statements that may suspend the CPS program, or null (also null once `variable = null` runs). */
    MethodCallExpression firstSuspending(List<Statement> statements, VariableExpression variable) {
        for (Statement statement in statements) {
            if (clears(statement, variable)) {
                return null
            }
            MethodCallExpression call = firstIn(statement, variable)
            if (call) {
                return call
            }
        }
        return null
    }

    private MethodCallExpression firstIn(Statement statement, VariableExpression variable) {
        MethodCallExpression first = null
        statement.visit(new CodeVisitorSupport() {
            @Override
            void visitMethodCallExpression(MethodCallExpression call) {
                if (first == null && suspends(call, variable)) {
                    first = call
                }
                super.visitMethodCallExpression(call)
            }
        })
        return first
    }

    private boolean suspends(MethodCallExpression call, VariableExpression variable) {
        String name = call.methodAsString
        Expression receiver = call.objectExpression
        if (receiver instanceof VariableExpression && receiver.accessedVariable.is(variable)) {
            return false
        }
        if (call.implicitThis || (receiver instanceof VariableExpression && receiver.thisExpression)) {
            return !isNonCps(current, name)
        }
        String global = globalReceiver(call)
        if (global) {
            return !isNonCps(globals[global], name)
        }
        return TypeGuess.isOpen(types.of(receiver))
    }

    private String globalReceiver(MethodCallExpression call) {
        Expression receiver = call.objectExpression
        receiver instanceof VariableExpression && receiver.accessedVariable instanceof DynamicVariable && globals.containsKey(receiver.name) ?
                receiver.name : null
    }

    private static boolean clears(Statement statement, VariableExpression variable) {
        if (!(statement instanceof ExpressionStatement) || !(statement.expression instanceof BinaryExpression)) {
            return false
        }
        BinaryExpression assignment = (BinaryExpression) statement.expression
        return assignment.operation.type == Types.ASSIGN && assignment.leftExpression instanceof VariableExpression &&
                assignment.leftExpression.accessedVariable.is(variable) &&
                assignment.rightExpression instanceof ConstantExpression && assignment.rightExpression.value == null
    }

    private static List<MethodNode> methods(ClassNode type, String name) {
        type == null || name == null ? [] : type.getMethods(name)
    }

    private static boolean isCps(ClassNode type, String name) {
        List<MethodNode> found = methods(type, name)
        return found && !found.every { PipelineCheck.nonCps(it) }
    }

    private static boolean isNonCps(ClassNode type, String name) {
        List<MethodNode> found = methods(type, name)
        return found && found.every { PipelineCheck.nonCps(it) }
    }
}
