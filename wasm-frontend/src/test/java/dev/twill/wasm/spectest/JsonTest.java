package dev.twill.wasm.spectest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.CompileError;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void readsAWast2jsonCommand() {
        Object v = Json.parse("t.json", """
                {"source_filename": "i32.wast",
                 "commands": [
                  {"type": "assert_return", "line": 37, "action": {"type": "invoke", "field": "add",
                   "args": [{"type": "i32", "value": "1"}]}, "expected": [{"type": "i32", "value": "2"}]}
                 ]}
                """);
        Map<String, Object> top = Json.asObject(v, "top");
        assertEquals("i32.wast", top.get("source_filename"));
        List<Object> commands = Json.asArray(top.get("commands"), "commands");
        assertEquals(1, commands.size());
        Map<String, Object> c = Json.asObject(commands.get(0), "command");
        assertEquals(37L, c.get("line"));
        assertEquals(List.of("type", "line", "action", "expected"), List.copyOf(c.keySet()));
        Map<String, Object> action = Json.asObject(c.get("action"), "action");
        assertEquals("add", Json.string(action, "field"));
        assertEquals(Map.of("type", "i32", "value", "1"), Json.asArray(action.get("args"), "args").get(0));
    }

    @Test
    void scalarsAndEscapes() {
        assertEquals(Boolean.TRUE, Json.parse(null, " true "));
        assertEquals(Boolean.FALSE, Json.parse(null, "false"));
        assertNull(Json.parse(null, "null"));
        assertEquals(-12L, Json.parse(null, "-12"));
        assertEquals(0L, Json.parse(null, "0"));
        assertEquals(1.5, Json.parse(null, "1.5"));
        assertEquals(-2.5e-3, Json.parse(null, "-2.5E-3"));
        assertEquals(1e300, Json.parse(null, "1e300"));
        // beyond long: kept as a double rather than failing
        assertEquals(1e19, Json.parse(null, "10000000000000000000"));
        assertEquals("a\"b\\c/d\b\f\n\r\t\u00e9\u20ac", Json.parse(null, "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20AC\""));
        assertEquals("\ud83d\ude00", Json.parse(null, "\"\\ud83d\\ude00\""));
        assertEquals(List.of(), Json.parse(null, "[ ]"));
        assertEquals(Map.of(), Json.parse(null, "{ }"));
    }

    @Test
    void rejectsWhatRfc8259DoesNotAllow() {
        String[] bad = {
            "", "[1,]", "{\"a\":1,}", "{'a':1}", "[01]", "[-]", "[1.]", "[.5]", "[1e]", "[+1]", "NaN",
            "[1] x", "\"a\tb\"", "\"abc", "\"\\x\"", "\"\\u12\"", "{\"a\" 1}", "{1:2}", "[1 2]",
            "tru", "{\"a\":1,\"a\":2}", "// c\n1", "[1]]",
        };
        for (String s : bad) {
            assertThrows(CompileError.class, () -> Json.parse("bad.json", s), s);
        }
    }

    @Test
    void errorsSayWhere() {
        CompileError e = assertThrows(CompileError.class, () -> Json.parse("f.json", "{\n  \"a\": [1,\n   ]\n}"));
        assertEquals(3, e.line);
        assertEquals(4, e.column);
        assertTrue(e.getMessage().startsWith("f.json:3:4: "), e.getMessage());
    }

    @Test
    void depthIsBounded() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        CompileError e = assertThrows(CompileError.class, () -> Json.parse(null, deep));
        assertTrue(e.reason.contains("nesting"), e.reason);
        String ok = "[".repeat(500) + "]".repeat(500);
        Json.parse(null, ok);
    }

    @Test
    void typedAccessorsNameTheMember() {
        Map<String, Object> o = Json.asObject(Json.parse(null, "{\"line\": \"x\", \"n\": 3}"), "o");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.integer(o, "line", 0));
        assertTrue(e.getMessage().contains("\"line\""), e.getMessage());
        assertEquals(3, Json.integer(o, "n", 0));
        assertEquals(7, Json.integer(o, "absent", 7));
        assertNull(Json.optString(o, "absent"));
        assertEquals(List.of(), Json.optArray(o, "absent"));
    }
}
