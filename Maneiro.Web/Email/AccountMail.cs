using System.Text;
using System.Threading.Channels;
using Maneiro.Web.Data;
using Maneiro.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;

namespace Maneiro.Web.Email;

/// <summary>
/// Account mail is prepared and sent off the request path: the request only queues the address, so a page answers
/// the same, in the same work, whether or not an account exists behind it (no enumeration by timing). One reader
/// drains the queue with its own service scope per message.
/// </summary>
public sealed partial class AccountMail(IServiceScopeFactory scopes, PublicOrigin origin, ILogger<AccountMail> logger) : BackgroundService
{
    private readonly Channel<(string Kind, string Email)> _queue = Channel.CreateBounded<(string, string)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });

    /// <summary>A confirmation link for a pending account.</summary>
    public void QueueConfirmation(string email) => _queue.Writer.TryWrite(("confirm", email));

    /// <summary>A reset link when a confirmed account has this address; nothing otherwise.</summary>
    public void QueuePasswordReset(string email) => _queue.Writer.TryWrite(("reset", email));

    /// <summary>Someone tried to sign up with an address that already has an account: tell its owner.</summary>
    public void QueueAccountExists(string email) => _queue.Writer.TryWrite(("exists", email));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (kind, email) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await SendAsync(scope.ServiceProvider, kind, email, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(kind, ex.GetType().Name);
            }
        }
    }

    private async Task SendAsync(IServiceProvider services, string kind, string address, CancellationToken cancellationToken)
    {
        var users = services.GetRequiredService<UserManager<ManeiroUser>>();
        var sender = services.GetRequiredService<EmailSender>();
        var user = await users.FindByEmailAsync(address);
        if (user is null)
        {
            return;
        }

        var confirmed = await users.IsEmailConfirmedAsync(user);
        switch (kind)
        {
            case "confirm" when !confirmed:
                var confirmCode = Encode(await users.GenerateEmailConfirmationTokenAsync(user));
                var confirmLink = origin.Link(QueryHelpers.AddQueryString("/Account/ConfirmEmail", new Dictionary<string, string?> { ["userId"] = user.Id, ["code"] = confirmCode }));
                await sender.SendAsync(AccountEmails.Confirmation(user.Email!, user.FirstName, confirmLink), cancellationToken);
                break;
            case "reset" when confirmed:
                var resetCode = Encode(await users.GeneratePasswordResetTokenAsync(user));
                var resetLink = origin.Link(QueryHelpers.AddQueryString("/Account/ResetPassword", new Dictionary<string, string?> { ["code"] = resetCode, ["email"] = user.Email }));
                await sender.SendAsync(AccountEmails.PasswordReset(user.Email!, resetLink), cancellationToken);
                break;
            case "exists" when confirmed:
                await sender.SendAsync(AccountEmails.AccountExists(user.Email!, origin.Link("/Account/ForgotPassword")), cancellationToken);
                break;
        }
    }

    private static string Encode(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    [LoggerMessage(Level = LogLevel.Warning, Message = "An account mail ({Kind}) could not be sent: {ErrorType}")]
    private partial void LogFailed(string kind, string errorType);
}

/// <summary>
/// Checks a password against a fixed decoy hash, so signing in with an unknown address costs the same hashing as with a
/// known one.
/// </summary>
public sealed class PasswordDecoy
{
    private readonly ManeiroUser _nobody = new();
    private readonly string _hash;

    // Made once, with Identity's hasher type and options (the registered hasher is scoped, this class a singleton).
    public PasswordDecoy(Microsoft.Extensions.Options.IOptions<PasswordHasherOptions> options) =>
        _hash = new PasswordHasher<ManeiroUser>(options).HashPassword(_nobody, Guid.NewGuid().ToString("N"));

    /// <summary>Verifies with the request's own hasher, so the check costs exactly what a real one does.</summary>
    public void Verify(IPasswordHasher<ManeiroUser> hasher, string password) => hasher.VerifyHashedPassword(_nobody, _hash, password);
}
