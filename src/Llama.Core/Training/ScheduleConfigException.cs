namespace Llama.Core.Training;

/// <summary>A schedule or ramp that cannot be followed; the message names the field and the value.</summary>
public sealed class ScheduleConfigException(string message) : Exception(message);
