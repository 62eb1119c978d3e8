using Maneiro.Web.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Maneiro.Web.Security;

/// <summary>Options of <see cref="PasswordResetTokenProvider"/>: its own lifetime, apart from confirmation links'.</summary>
public sealed class PasswordResetTokenProviderOptions : DataProtectionTokenProviderOptions
{
    public PasswordResetTokenProviderOptions()
    {
        Name = PasswordResetTokenProvider.ProviderName;
    }
}

/// <summary>Password-reset tokens, protected under their own purpose and expiring when the reset mail says they do.</summary>
public sealed class PasswordResetTokenProvider(IDataProtectionProvider protection, IOptions<PasswordResetTokenProviderOptions> options, ILogger<DataProtectorTokenProvider<ManeiroUser>> logger)
    : DataProtectorTokenProvider<ManeiroUser>(protection, options, logger)
{
    public const string ProviderName = "PasswordReset";
}
