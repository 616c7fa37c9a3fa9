// A real JobWorker in its own process. It exists only for the multi-process tests in
// tests/Llama.Platform.Tests/Jobs (two workers draining one queue; a worker killed mid-job).
//
//   Llama.Platform.TestWorker --provider sqlite|postgres --connection <ado string> --queue <name>
//       --worker-id <id> --log-dir <folder> [--lease-ms 2000] [--poll-ms 50]
//
// Prints "ready" once it polls, and runs until SIGTERM/Ctrl+C (or SIGKILL, which the tests use on purpose).
using System.Runtime.InteropServices;
using Llama.Platform.Jobs;
using Llama.Platform.Metadata;
using Llama.Platform.TestWorker;
using Microsoft.Extensions.Logging;

var options = ParseArguments(args);
string Required(string name) => options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"missing --{name}");
int Milliseconds(string name, int fallback) => options.TryGetValue(name, out var value) ? int.Parse(value) : fallback;

var provider = Enum.Parse<MetadataProvider>(Required("provider"), ignoreCase: true);
var store = new MetadataStore(new MetadataStoreOptions { Provider = provider, ConnectionString = Required("connection") });
var workerOptions = new JobWorkerOptions
{
    Queue = Required("queue"),
    WorkerId = Required("worker-id"),
    LeaseDuration = TimeSpan.FromMilliseconds(Milliseconds("lease-ms", 2000)),
    PollInterval = TimeSpan.FromMilliseconds(Milliseconds("poll-ms", 50)),
};
string logPath = Path.Combine(Required("log-dir"), workerOptions.WorkerId + ".log");
var handlers = new JobHandlerRegistry().Add(RecordingJobHandler.Kind, new RecordingJobHandler(logPath));
using var logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss.fff "; }));
var worker = new JobWorker(new JobQueue(store), handlers, workerOptions, logging.CreateLogger<JobWorker>());

using var stop = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
// "ready" means able to claim at once: the first query builds the EF model and opens the first connection
// (seconds in a cold process), which the tests must not mistake for a worker taking part.
await new JobQueue(store).ListAsync(workerOptions.Queue, limit: 1, cancellation: stop.Token);
Console.WriteLine("ready");
await worker.RunAsync(stop.Token);
return 0;

static Dictionary<string, string> ParseArguments(string[] args)
{
    var parsed = new Dictionary<string, string>();
    for (int i = 0; i + 1 < args.Length; i += 2)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"expected --name value, got '{args[i]}'");
        parsed[args[i][2..]] = args[i + 1];
    }
    return parsed;
}
