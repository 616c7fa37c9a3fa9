using Llama.Serving.Hosting;
using System.ClientModel;
using System.Net;
using OpenAI;
using OpenAI.Chat;

namespace Llama.Serving.Tests.Api;

public sealed class ApiKeyTests
{
    [Fact]
    public async Task With_an_API_key_only_requests_bearing_it_are_served()
    {
        await using var server = await ServingServer.StartAsync(new ServingOptions { ApiKeys = ["sk-test-123"] });
        ChatClient Client(string key) => new(TinyModel.Name, new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = server.V1 });

        var e = await Assert.ThrowsAsync<ClientResultException>(() => Client("sk-wrong").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, e.Status);
        var ok = await Client("sk-test-123").CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 3 });
        Assert.InRange(ok.Value.Usage.OutputTokenCount, 1, 3);

        using var http = server.CreateHttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode); // probes need no key
    }
}
