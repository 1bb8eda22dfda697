using System.Buffers;
using System.Text;

namespace Farm.Cli.Commands;

/// <summary>
/// Removes what a terminal would act on rather than print from text an action wrote, so a log cannot
/// set the window title, write to the clipboard (OSC 52), move the cursor over earlier lines, hide
/// text, or reset the terminal. Kept: printable text, '\n', '\t', and SGR colour and style
/// sequences (<c>ESC [ params m</c>), which only paint. Removed: every other CSI sequence; OSC,
/// DCS, SOS, PM and APC strings up to their terminator (BEL or ST), or up to the end of the line
/// when they have none, so an unfinished one cannot swallow the rest of the log; other escape
/// sequences and a lone ESC; the other C0 controls and DEL; and C1 controls, both as UTF-8
/// (U+0080–U+009F) and as single bytes 0x80–0x9F outside a UTF-8 character, which an 8-bit
/// terminal would obey. Other bytes, invalid UTF-8 included, pass unchanged.
/// <para>
/// Stateful, so a sequence split across two chunks of a log is still recognised; not thread-safe:
/// one filter per output. <see cref="Reset"/> between two logs.
/// </para>
/// </summary>
internal sealed class TerminalFilter
{
    private const byte Esc = 0x1B;

    /// <summary>An SGR sequence longer than this is dropped: no colour needs it, and the buffer stays small.</summary>
    private const int MaxSequenceBytes = 64;

    private State _state;
    private int _continuations;
    private bool _sgrCandidate;
    private readonly List<byte> _sequence = [];

    private enum State
    {
        Ground,
        Utf8,
        AfterC2,
        Escape,
        EscapeIntermediate,
        Csi,
        ControlString,
        ControlStringEscape,
    }

    /// <summary>The text of <paramref name="text"/> with its control sequences removed: for single messages, such as progress lines.</summary>
    public static string Strip(string text)
    {
        var filter = new TerminalFilter();
        var output = new ArrayBufferWriter<byte>();
        filter.Write(Encoding.UTF8.GetBytes(text), output);
        filter.Reset(output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>Writes to <paramref name="output"/> what of <paramref name="input"/> may reach a terminal.</summary>
    public void Write(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        foreach (var b in input)
        {
            Next(b, output);
        }
    }

    /// <summary>Ends the current log: a held lead byte is written, an unfinished sequence dropped.</summary>
    public void Reset(IBufferWriter<byte> output)
    {
        if (_state == State.AfterC2)
        {
            Emit(output, 0xC2);
        }

        _state = State.Ground;
        _sequence.Clear();
    }

    private void Next(byte b, IBufferWriter<byte> output)
    {
        switch (_state)
        {
            case State.Utf8:
                if (b is >= 0x80 and <= 0xBF)
                {
                    Emit(output, b);
                    if (--_continuations == 0)
                    {
                        _state = State.Ground;
                    }

                    return;
                }

                // A character cut short: its bytes are out, invalid as they came; this one starts afresh.
                _state = State.Ground;
                break;

            case State.AfterC2:
                _state = State.Ground;
                if (b is >= 0x80 and <= 0x9F)
                {
                    C1(b);
                    return;
                }

                Emit(output, 0xC2);
                if (b is >= 0xA0 and <= 0xBF)
                {
                    Emit(output, b);
                    return;
                }

                break;

            case State.Escape:
                Escape(b, output);
                return;

            case State.EscapeIntermediate:
                if (b is >= 0x20 and <= 0x2F)
                {
                    return;
                }

                _state = State.Ground;
                if (b is >= 0x30 and <= 0x7E)
                {
                    return;
                }

                break;

            case State.Csi:
                if (Csi(b, output))
                {
                    return;
                }

                break;

            case State.ControlString:
                ControlString(b, output);
                return;

            case State.ControlStringEscape:
                if (b == (byte)'\\')
                {
                    _state = State.Ground;
                    return;
                }

                // ESC inside a string cancels it and starts another sequence, as terminals do.
                _state = State.Escape;
                Escape(b, output);
                return;
        }

        Ground(b, output);
    }

    private void Ground(byte b, IBufferWriter<byte> output)
    {
        switch (b)
        {
            case Esc:
                _state = State.Escape;
                break;
            case (byte)'\n' or (byte)'\t':
                Emit(output, b);
                break;
            case < 0x20 or 0x7F:
                break;
            case 0xC2:
                _state = State.AfterC2;
                break;
            case >= 0xC3 and <= 0xF4:
                Emit(output, b);
                _continuations = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1;
                _state = State.Utf8;
                break;
            case >= 0x80 and <= 0x9F:
                // Not part of a UTF-8 character: an 8-bit terminal would take it as a C1 control.
                break;
            default:
                Emit(output, b);
                break;
        }
    }

    /// <summary>A C1 control: those that open a sequence start it; the rest are dropped.</summary>
    private void C1(byte code)
    {
        switch (code)
        {
            case 0x9B:
                StartCsi();
                break;
            case 0x9D or 0x90 or 0x98 or 0x9E or 0x9F:
                _state = State.ControlString;
                break;
        }
    }

    private void Escape(byte b, IBufferWriter<byte> output)
    {
        _state = State.Ground;
        switch (b)
        {
            case (byte)'[':
                StartCsi();
                return;
            case (byte)']' or (byte)'P' or (byte)'X' or (byte)'^' or (byte)'_':
                _state = State.ControlString;
                return;
            case >= 0x20 and <= 0x2F:
                _state = State.EscapeIntermediate;
                return;
            case >= 0x30 and <= 0x7E:
                // A two-byte escape (ESC c resets the terminal, ESC 7 and 8 move the cursor): dropped.
                return;
            default:
                // A lone ESC: dropped, and the byte after it read as it is.
                Ground(b, output);
                return;
        }
    }

    private void StartCsi()
    {
        _state = State.Csi;
        _sequence.Clear();
        _sgrCandidate = true;
    }

    /// <summary>Takes one byte of a CSI sequence; false when it does not belong to one (the sequence is dropped, the byte read afresh).</summary>
    private bool Csi(byte b, IBufferWriter<byte> output)
    {
        if (b is >= 0x40 and <= 0x7E)
        {
            _state = State.Ground;
            if (b == (byte)'m' && _sgrCandidate)
            {
                Emit(output, Esc);
                Emit(output, (byte)'[');
                foreach (var kept in _sequence)
                {
                    Emit(output, kept);
                }

                Emit(output, b);
            }

            _sequence.Clear();
            return true;
        }

        if (b is < 0x20 or > 0x3F)
        {
            // A control or a byte no CSI holds: the sequence ends unfinished.
            _state = State.Ground;
            _sequence.Clear();
            return false;
        }

        // Only digits, ';' and ':' make a colour; '<=>?' mark private sequences, 0x20–0x2F intermediates.
        if (!(char.IsAsciiDigit((char)b) || b is (byte)';' or (byte)':') || _sequence.Count >= MaxSequenceBytes)
        {
            _sgrCandidate = false;
        }

        if (_sgrCandidate)
        {
            _sequence.Add(b);
        }

        return true;
    }

    private void ControlString(byte b, IBufferWriter<byte> output)
    {
        switch (b)
        {
            case 0x07 or 0x9C:
                // BEL ends an OSC in xterm's form; ST as a C1 (0x9C, alone or as UTF-8's C2 9C) ends any.
                _state = State.Ground;
                break;
            case Esc:
                _state = State.ControlStringEscape;
                break;
            case (byte)'\n':
                _state = State.Ground;
                Emit(output, b);
                break;
        }
    }

    private static void Emit(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }
}
