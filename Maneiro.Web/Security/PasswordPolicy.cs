using Maneiro.Web.Data;
using Microsoft.AspNetCore.Identity;

namespace Maneiro.Web.Security;

/// <summary>The bundled list of common passwords (12+ characters; shorter ones fail the length rule anyway).</summary>
public sealed class CommonPasswords
{
    private readonly HashSet<string> _passwords;

    public CommonPasswords()
    {
        using var stream = typeof(CommonPasswords).Assembly.GetManifestResourceStream("Maneiro.CommonPasswords.txt")
            ?? throw new InvalidOperationException("The common-password list is not embedded.");
        using var reader = new StreamReader(stream);
        _passwords = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && line[0] != '#')
            {
                _passwords.Add(line);
            }
        }
    }

    public int Count => _passwords.Count;

    public bool Contains(string password) => _passwords.Contains(password);
}

/// <summary>Rejects common passwords and passwords that contain the e-mail's local part.</summary>
public sealed class ManeiroPasswordValidator(CommonPasswords common) : IPasswordValidator<ManeiroUser>
{
    public Task<IdentityResult> ValidateAsync(UserManager<ManeiroUser> manager, ManeiroUser user, string? password)
    {
        var errors = new List<IdentityError>();
        if (string.IsNullOrEmpty(password))
        {
            return Task.FromResult(IdentityResult.Success);
        }

        if (common.Contains(password))
        {
            errors.Add(new IdentityError { Code = "PasswordTooCommon", Description = "This password is on a list of commonly used passwords. Choose one that is harder to guess." });
        }

        var localPart = (user.Email ?? "").Split('@')[0];
        if (localPart.Length >= 3 && password.Contains(localPart, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new IdentityError { Code = "PasswordContainsEmail", Description = "The password must not contain your e-mail name." });
        }

        return Task.FromResult(errors.Count == 0 ? IdentityResult.Success : IdentityResult.Failed([.. errors]));
    }
}

/// <summary>Identity's wording, made plainer where its defaults are terse.</summary>
public sealed class ManeiroIdentityErrors : IdentityErrorDescriber
{
    public override IdentityError PasswordTooShort(int length) =>
        new() { Code = nameof(PasswordTooShort), Description = $"The password must be at least {length} characters long." };

    public override IdentityError DuplicateEmail(string email) =>
        new() { Code = nameof(DuplicateEmail), Description = "An account with this e-mail address already exists. Try signing in or resetting your password." };

    public override IdentityError DuplicateUserName(string userName) =>
        new() { Code = nameof(DuplicateUserName), Description = "An account with this e-mail address already exists. Try signing in or resetting your password." };

    public override IdentityError InvalidToken() =>
        new() { Code = nameof(InvalidToken), Description = "This link has expired or was already used. Ask for a new one." };
}
