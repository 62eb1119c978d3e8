using System.Net.Http.Json;
using System.Text.Json;

namespace Maneiro.Testing;

/// <summary>What the browser's recorder script does over HTTP: start a recording, send its chunks, resume, stop.</summary>
public sealed class RecorderClient(HttpClient client, string token, string headerName)
{
    public static async Task<RecorderClient> ForAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/api/antiforgery", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return new RecorderClient(client, root.GetProperty("token").GetString()!, root.GetProperty("headerName").GetString()!);
    }

    /// <summary>The same signed-in member through another web instance (the token is valid on every instance).</summary>
    public RecorderClient Through(HttpClient other) => new(other, token, headerName);

    public async Task<(HttpResponseMessage Response, JsonElement Body)> StartAsync(string mediaType = "audio/webm;codecs=opus", bool review = false, string mode = "dictation", string language = "en", string specialty = "ophthalmology")
    {
        var response = await SendAsync(HttpMethod.Post, "/api/recordings", JsonContent.Create(new { mediaType, specialty, language, mode, review }));
        return (response, await BodyAsync(response));
    }

    public async Task<string> StartedIdAsync(bool review = false, string mode = "dictation")
    {
        var (response, body) = await StartAsync(review: review, mode: mode);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, body.ToString());
        return body.GetProperty("id").GetString()!;
    }

    public Task<HttpResponseMessage> ChunkAsync(string id, int segment, int sequence, byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("audio/webm");
        return SendAsync(HttpMethod.Put, $"/api/recordings/{id}/chunks/{segment}/{sequence}", content);
    }

    public Task<HttpResponseMessage> FinishAsync(string id, int? chunks) =>
        SendAsync(HttpMethod.Post, $"/api/recordings/{id}/finish", JsonContent.Create(new { chunks }));

    public Task<HttpResponseMessage> NewSegmentAsync(string id) => SendAsync(HttpMethod.Post, $"/api/recordings/{id}/segments", JsonContent.Create(new { }));

    public Task<HttpResponseMessage> DiscardAsync(string id) => SendAsync(HttpMethod.Delete, $"/api/recordings/{id}", null);

    public async Task<JsonElement> ListAsync()
    {
        using var response = await client.GetAsync(new Uri("/api/recordings", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    /// <summary>Splits a recording into chunks of at most <paramref name="size"/> bytes, as a recorder's timeslices do.</summary>
    public static IReadOnlyList<byte[]> Split(byte[] recording, int size) => recording.Chunk(size).ToList();

    public static async Task<JsonElement> BodyAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add(headerName, token);
        request.Headers.Accept.ParseAdd("application/json");
        return await client.SendAsync(request);
    }
}
