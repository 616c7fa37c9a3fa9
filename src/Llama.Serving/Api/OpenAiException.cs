using System.Text.Json.Nodes;

namespace Llama.Serving.Api;

/// <summary>
/// A request the API refuses, answered with OpenAI's error body
/// <c>{"error": {"message", "type", "param", "code"}}</c> and the matching HTTP status, so OpenAI clients raise
/// their usual typed errors.
/// </summary>
public sealed class OpenAiException(int status, string message, string type = OpenAiException.InvalidRequest, string? param = null, string? code = null)
    : Exception(message)
{
    public const string InvalidRequest = "invalid_request_error";
    public const string Authentication = "authentication_error";
    public const string NotFound = "not_found_error";
    public const string Server = "server_error";

    public int Status { get; } = status;
    public string Type { get; } = type;
    public string? Param { get; } = param;
    public string? Code { get; } = code;

    public static OpenAiException BadParameter(string param, string message) => new(400, message, param: param);

    public JsonObject ToJson() => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = Message,
            ["type"] = Type,
            ["param"] = Param,
            ["code"] = Code,
        },
    };
}
