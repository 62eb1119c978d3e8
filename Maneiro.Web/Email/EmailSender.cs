using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Maneiro.Web.Email;

/// <summary><c>Mail:*</c> and <c>Smtp:*</c> settings.</summary>
public sealed class MailOptions
{
    /// <summary>When set, messages are written here as .eml files instead of being sent (the local run).</summary>
    public string? PickupDirectory { get; set; }

    public string From { get; set; } = "Maneiro <no-reply@maneiro.local>";

    public string? SmtpHost { get; set; }

    public int SmtpPort { get; set; } = 587;

    public string? SmtpUsername { get; set; }

    public string? SmtpPassword { get; set; }

    public bool SmtpStartTls { get; set; } = true;

    /// <summary>
    /// Local run only (<c>./run</c> sets it): print each mail's link on the console so sign-up can be finished
    /// without a mail server. Printed directly, never through the logging pipeline, which must not carry tokens.
    /// </summary>
    public bool PrintLinksToConsole { get; set; }
}

public sealed record EmailMessage(string To, string Subject, string TextBody, string HtmlBody, string? LinkForLocalRun = null);

/// <summary>Sends mail over SMTP with MailKit, or drops it in a pickup folder for the local run.</summary>
public sealed partial class EmailSender(MailOptions options, ILogger<EmailSender> logger)
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(options.From));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        mime.Body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody }.ToMessageBody();

        if (!string.IsNullOrWhiteSpace(options.PickupDirectory))
        {
            Directory.CreateDirectory(options.PickupDirectory);
            var path = Path.Combine(options.PickupDirectory, $"{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}.eml");

            // Written whole under another name, then renamed: a reader of the folder never sees half a message.
            await mime.WriteToAsync(path + ".part", cancellationToken);
            File.Move(path + ".part", path);
            LogPickedUp(message.Subject, path);
            if (options.PrintLinksToConsole && message.LinkForLocalRun is { } link)
            {
                await Console.Out.WriteLineAsync($"[local mail] {message.Subject}: {link}");
            }

            return;
        }

        if (string.IsNullOrWhiteSpace(options.SmtpHost))
        {
            throw new InvalidOperationException("No mail transport: set Smtp:Host (or Mail:PickupDirectory for local use).");
        }

        using var client = new SmtpClient();
        await client.ConnectAsync(options.SmtpHost, options.SmtpPort, options.SmtpStartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.Auto, cancellationToken);
        if (!string.IsNullOrEmpty(options.SmtpUsername))
        {
            await client.AuthenticateAsync(options.SmtpUsername, options.SmtpPassword ?? "", cancellationToken);
        }

        await client.SendAsync(mime, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mail \"{Subject}\" written to {Path}")]
    private partial void LogPickedUp(string subject, string path);
}
