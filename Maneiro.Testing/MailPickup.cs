using System.Text.RegularExpressions;
using MimeKit;

namespace Maneiro.Testing;

/// <summary>Reads the .eml files the app writes to its pickup folder, as a user reads their inbox.</summary>
public sealed partial class MailPickup(string directory)
{
    public string Directory { get; } = directory;

    public async Task<MimeMessage> WaitForAsync(string to, string subjectContains, TimeSpan? timeout = null) =>
        (await Eventually.ReturnsAsync(() => TakeAsync(to, subjectContains), m => m is not null, $"a mail to {to} about '{subjectContains}' arrived in {Directory}", timeout ?? TimeSpan.FromSeconds(10)))!;

    /// <summary>Takes (reads and removes) the first matching message, if one is there.</summary>
    private async Task<MimeMessage?> TakeAsync(string to, string subjectContains)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return null;
        }

        foreach (var file in System.IO.Directory.GetFiles(Directory, "*.eml").Order())
        {
            var message = await MimeMessage.LoadAsync(file);
            if (message.To.Mailboxes.Any(m => m.Address.Equals(to, StringComparison.OrdinalIgnoreCase))
                && (message.Subject ?? "").Contains(subjectContains, StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(file);
                return message;
            }
        }

        return null;
    }

    /// <summary>The first link in the message's text part, as a path and query on the app.</summary>
    public static string LinkPath(MimeMessage message)
    {
        var match = LinkPattern().Match(message.TextBody ?? "");
        Assert.True(match.Success, "No link in: " + message.TextBody);
        return new Uri(match.Value).PathAndQuery;
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex LinkPattern();
}
