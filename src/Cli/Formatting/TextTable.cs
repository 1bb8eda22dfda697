using System.Text;

namespace Farm.Cli.Formatting;

/// <summary>
/// Left-aligned columns separated by two spaces, in the style of <c>kubectl get</c>: easy to read
/// and to cut with <c>awk</c>. Empty cells print as <c>-</c> so every row has every column, except
/// trailing ones, which are left off so a row may stop early.
/// </summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [headers];

    public void AddRow(params string?[] cells) =>
        _rows.Add(cells.Select(c => string.IsNullOrEmpty(c) ? Display.None : c).ToArray());

    /// <summary>Adds a row whose trailing empty cells are omitted rather than shown as <c>-</c>.</summary>
    public void AddPartialRow(params string?[] cells)
    {
        var length = cells.Length;
        while (length > 0 && string.IsNullOrEmpty(cells[length - 1]))
        {
            length--;
        }

        _rows.Add(cells.Take(length).Select(c => string.IsNullOrEmpty(c) ? Display.None : c).ToArray());
    }

    public override string ToString()
    {
        var columns = _rows.Max(r => r.Length);
        var widths = Enumerable.Range(0, columns).Select(i => _rows.Where(r => r.Length > i).Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in _rows)
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                line.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            }

            text.Append(line.ToString().TrimEnd()).Append('\n');
        }

        return text.ToString();
    }
}
