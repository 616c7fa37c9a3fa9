namespace Llama.Cli.Commands;

/// <summary>
/// One progress line on stderr: redrawn in place on a terminal; when stderr is a file or pipe, a new line only when
/// the step changes or the run has moved on by 5%, so logs stay short.
/// </summary>
internal sealed class ConsoleProgressLine
{
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private string _last = "";
    private string _lastStep = "";
    private double _lastFraction = -1;

    public void Show(double fraction, string text)
    {
        int filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * 30);
        string line = $"[{new string('#', filled)}{new string('.', 30 - filled)}] {fraction * 100,5:0.0}% {text}";
        if (_interactive)
        {
            Console.Error.Write("\r" + line.PadRight(Math.Max(_last.Length, line.Length)));
            _last = line;
            return;
        }
        string step = text.Split(':')[0];
        if (step == _lastStep && fraction - _lastFraction < 0.05) return;
        Console.Error.WriteLine(line);
        (_lastStep, _lastFraction) = (step, fraction);
    }

    public void Done()
    {
        if (_interactive && _last.Length > 0) Console.Error.WriteLine();
    }
}
