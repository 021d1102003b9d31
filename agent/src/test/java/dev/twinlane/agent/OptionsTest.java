package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Option parsing: values, durations in the forms twinlane siem accepts, one-line errors. */
class OptionsTest {
    private static Options parse(String... args) throws UsageException {
        return Options.parse(args, Set.of("duration", "count"), Set.of("print"));
    }

    @Test
    void durationsInEveryForm() throws UsageException {
        assertEquals(Duration.ofMillis(500), parse("--duration", "500ms").duration("duration", null));
        assertEquals(Duration.ofMillis(1500), parse("--duration=1.5s").duration("duration", null));
        assertEquals(Duration.ofMinutes(2), parse("--duration", "2m").duration("duration", null));
        assertEquals(Duration.ofSeconds(7), parse("--duration", "7").duration("duration", null));
        assertEquals(Duration.ofSeconds(3), parse("--print").duration("duration", Duration.ofSeconds(3)));
    }

    @Test
    void badInputIsOneClearLine() {
        UsageException e = assertThrows(UsageException.class, () -> parse("--duration", "soon").duration("duration", null));
        assertEquals("--duration wants a duration like 10s or 500ms, not 'soon'", e.getMessage());
        assertEquals("--duration must be longer than 0, like 10s or 500ms, not '-5s'", assertThrows(UsageException.class,
                () -> parse("--duration", "-5s").duration("duration", null)).getMessage());
        assertEquals("--duration must be longer than 0, like 10s or 500ms, not '0'", assertThrows(UsageException.class,
                () -> parse("--duration", "0").duration("duration", null)).getMessage());
        assertEquals("--duration must be longer than 0, like 10s or 500ms, not '0.0001s'", assertThrows(
                UsageException.class, () -> parse("--duration", "0.0001s").duration("duration", null)).getMessage());
        assertEquals("--count needs a value", assertThrows(UsageException.class, () -> parse("--count")).getMessage());
        assertEquals("unknown option '--fast'", assertThrows(UsageException.class, () -> parse("--fast")).getMessage());
    }
}
