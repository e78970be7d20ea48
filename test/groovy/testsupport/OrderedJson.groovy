package testsupport

/**
 * A minimal JSON parser that keeps object keys in document order (LinkedHashMap), as Jenkins' readJSON does;
 * Groovy 2.4's JsonSlurper does not keep the order of keys.
 */
class OrderedJson {
    private final String text
    private int pos = 0

    private OrderedJson(String text) { this.text = text }

    static Object parse(String text) {
        OrderedJson parser = new OrderedJson(text)
        Object value = parser.value()
        parser.skipSpace()
        if (parser.pos != text.length()) {
            throw new IllegalArgumentException("unexpected ${text[parser.pos]} at ${parser.pos}")
        }
        value
    }

    private Object value() {
        skipSpace()
        char c = text.charAt(pos)
        if (c == '{' as char) { return object() }
        if (c == '[' as char) { return array() }
        if (c == '"' as char) { return string() }
        for (Map.Entry<String, Object> literal in [true: true, false: false, null: null]) {
            if (text.startsWith(literal.key, pos)) {
                pos += literal.key.length()
                return literal.value
            }
        }
        number()
    }

    private Map object() {
        Map result = new LinkedHashMap()
        pos++
        skipSpace()
        if (text.charAt(pos) == '}' as char) { pos++; return result }
        while (true) {
            skipSpace()
            String key = string()
            skipSpace()
            expect(':' as char)
            result[key] = value()
            skipSpace()
            if (text.charAt(pos++) == '}' as char) { return result }
        }
    }

    private List array() {
        List result = []
        pos++
        skipSpace()
        if (text.charAt(pos) == ']' as char) { pos++; return result }
        while (true) {
            result << value()
            skipSpace()
            if (text.charAt(pos++) == ']' as char) { return result }
        }
    }

    private String string() {
        expect('"' as char)
        StringBuilder out = new StringBuilder()
        while (text.charAt(pos) != '"' as char) {
            char c = text.charAt(pos++)
            if (c != '\\' as char) { out << c; continue }
            char e = text.charAt(pos++)
            switch (e) {
                case 'n': out << '\n'; break
                case 't': out << '\t'; break
                case 'r': out << '\r'; break
                case 'b': out << '\b'; break
                case 'f': out << '\f'; break
                case 'u': out << (char) Integer.parseInt(text.substring(pos, pos + 4), 16); pos += 4; break
                default: out << e
            }
        }
        pos++
        out.toString()
    }

    private Number number() {
        int start = pos
        while (pos < text.length() && '+-0123456789.eE'.indexOf((int) text.charAt(pos)) >= 0) { pos++ }
        String n = text.substring(start, pos)
        n.contains('.') || n.contains('e') || n.contains('E') ? new BigDecimal(n) : (n.toLong() == n.toInteger() ? n.toInteger() : n.toLong())
    }

    private void expect(char c) {
        if (text.charAt(pos++) != c) { throw new IllegalArgumentException("expected ${c} at ${pos - 1}") }
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) { pos++ }
    }
}
