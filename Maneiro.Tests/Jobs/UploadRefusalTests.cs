using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Maneiro.Grains.Interfaces;
using Maneiro.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Maneiro.Tests.Jobs;

public sealed class SmallUploadLimitApp : ManeiroApp
{
    /// <summary>More than one piece of the form reader's (4,096 characters), so a value is read in several.</summary>
    public const int MaxPastedCharacters = 10_000;

    public SmallUploadLimitApp()
        : base(b => b.WithFakeModel().With("Uploads:MaxDocumentBytes", "200000").With("Uploads:MaxPastedCharacters", MaxPastedCharacters.ToString(System.Globalization.CultureInfo.InvariantCulture)))
    {
    }
}

/// <summary>Bad input gets a clear 4xx, stores nothing and uses none of the allowance.</summary>
public sealed class UploadRefusalTests(SmallUploadLimitApp app) : IClassFixture<SmallUploadLimitApp>
{
    public static TheoryData<string, string, int, string> BadFiles => new()
    {
        { "empty", "note.pdf", 400, "The file is empty" },
        { "wrong-magic", "note.pdf", 415, "This file type is not supported" },
        { "zip-renamed", "note.pdf", 415, "This file type is not supported" },
        { "truncated-pdf", "note.pdf", 422, "damaged or incomplete" },
        { "encrypted-pdf", "locked.pdf", 422, "password-protected" },
        { "oversize-png", "big.png", 413, "too large. The limit for documents is" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Bad_files_are_refused_clearly_and_nothing_is_kept(string kind, string fileName, int status, string message)
    {
        var (session, email) = await app.SignedInUserAsync();
        var blobsBefore = app.StoredBlobCount();
        var response = await JobsApp.UploadAsync(session, await MakeAsync(kind), fileName);

        Assert.Equal(status, (int)response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Equal(blobsBefore, app.StoredBlobCount());
        var snapshot = await (await UserGrain(email)).GetSnapshot();
        Assert.Equal(0, snapshot.Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
        Assert.Equal(0, await app.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IJobIndexGrain>(await app.UserIdAsync(email)).Count());
        session.Dispose();
    }

    [Fact]
    public async Task A_path_traversal_file_name_is_ignored_and_the_blob_gets_a_generated_key()
    {
        var (session, _) = await app.SignedInUserAsync();
        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var outside = Path.Combine(app.BlobRoot, "..", "escaped.pdf");
        var response = await JobsApp.UploadAsync(session, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote), "../../escaped.pdf");
        var jobId = await JobsApp.JobIdOf(response);

        Assert.False(File.Exists(outside));
        var stored = Directory.GetFiles(app.BlobRoot, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(app.BlobRoot, f)).ToList();
        Assert.Contains(stored, f => f.StartsWith($"uploads/{jobId}/", StringComparison.Ordinal) && !f.Contains("escaped", StringComparison.Ordinal));
        // Stored encrypted: the PDF's own bytes are not in the file.
        var blob = await File.ReadAllBytesAsync(Path.Combine(app.BlobRoot, stored.Single(f => f.Contains(jobId, StringComparison.Ordinal))));
        Assert.False(System.Text.Encoding.Latin1.GetString(blob).Contains("%PDF", StringComparison.Ordinal));
        await JobsApp.WaitForFinishAsync(session, jobId);
        session.Dispose();
    }

    [Fact]
    public async Task A_request_declaring_a_body_over_the_limit_is_refused_before_it_is_read()
    {
        var (session, _) = await app.SignedInUserAsync();
        var (_, html, _) = await session.GetAsync("/");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/analyze")
        {
            Content = new ByteArrayContent(new byte[1024]),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("multipart/form-data") { Parameters = { new("boundary", "x") } };
        request.Content.Headers.ContentLength = 200L * 1024 * 1024;
        request.Headers.Add("RequestVerificationToken", BrowserSession.AntiforgeryToken(html)!);
        request.Headers.Accept.ParseAdd("application/json");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        HttpResponseMessage? response = null;
        try
        {
            response = await session.Client.SendAsync(request, cts.Token);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }
        catch (HttpRequestException)
        {
            // The server may close the connection after answering 413 while the client still sends; both refuse the upload.
        }
        finally
        {
            response?.Dispose();
        }

        session.Dispose();
    }

    [Fact]
    public async Task An_upload_without_the_antiforgery_token_is_refused()
    {
        var (session, _) = await app.SignedInUserAsync();
        using var form = new MultipartFormDataContent { { new ByteArrayContent(TestDocuments.TextPdf("hello")), "file", "a.pdf" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/analyze") { Content = form };
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await session.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        session.Dispose();
    }

    [Fact]
    public async Task Pasted_text_up_to_the_limit_is_analysed_whole_and_one_character_more_is_refused()
    {
        var (session, _) = await app.SignedInUserAsync();
        const int limit = SmallUploadLimitApp.MaxPastedCharacters;
        var note = TestDocuments.OphthalmologyNote + " ";
        string Pasted(int length, string end) => string.Concat(Enumerable.Repeat(note, (length / note.Length) + 1))[..(length - end.Length)] + end;

        var over = await JobsApp.UploadAsync(session, null, text: Pasted(limit + 1, "END-OF-OVERLONG-PASTE"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Contains("Pasted text is limited to 10,000 characters", await over.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        app.OpenAi.Answer(JobsApp.ModelAnswer());
        var jobId = await JobsApp.JobIdOf(await JobsApp.UploadAsync(session, null, text: Pasted(limit, "END-OF-PASTE")));
        Assert.Equal(JobStage.Complete, JobsApp.Stage(await JobsApp.WaitForFinishAsync(session, jobId)));
        Assert.Contains(app.OpenAi.ChatRequests, r => r.Contains("END-OF-PASTE", StringComparison.Ordinal));
        session.Dispose();
    }

    [Fact]
    public async Task When_the_allowance_is_used_up_the_upload_is_refused_with_the_reason_and_nothing_is_stored()
    {
        var (session, email) = await app.SignedInUserAsync();
        var user = await UserGrain(email);
        for (var i = 0; i < 10; i++)
        {
            await user.TryReserve(UsageKind.Analyses, $"earlier-{i}", 1);
        }

        var blobsBefore = app.StoredBlobCount();
        var response = await JobsApp.UploadAsync(session, TestDocuments.TextPdf(TestDocuments.OphthalmologyNote));
        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        Assert.Contains("used all 10 analyses", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(blobsBefore, app.StoredBlobCount());
        Assert.Equal(10, (await user.GetSnapshot()).Usage.Single(u => u.Kind == UsageKind.Analyses).Used);
        session.Dispose();
    }

    private static async Task<byte[]> MakeAsync(string kind) => kind switch
    {
        "empty" => [],
        "wrong-magic" => "MZ this is an executable, not a note"u8.ToArray(),
        "zip-renamed" => Zip(),
        "truncated-pdf" => TestDocuments.TextPdf(TestDocuments.OphthalmologyNote)[..300],
        "encrypted-pdf" => await TestDocuments.EncryptedPdfAsync(TestDocuments.OphthalmologyNote),
        "oversize-png" => [.. new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, .. new byte[300_000]],
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static byte[] Zip()
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry("note.txt").Open());
            writer.Write("not a pdf");
        }

        return memory.ToArray();
    }

    private async Task<IUserGrain> UserGrain(string email) => app.UserGrain(await app.UserIdAsync(email));
}
