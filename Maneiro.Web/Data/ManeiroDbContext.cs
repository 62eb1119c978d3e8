using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Maneiro.Web.Data;

/// <summary>ASP.NET Core Identity's tables. The schema is created by our SQL migrations (Data/Migrations), not by EF.</summary>
public sealed class ManeiroDbContext(DbContextOptions<ManeiroDbContext> options) : IdentityDbContext<ManeiroUser>(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<ManeiroUser>(user =>
        {
            user.Property(u => u.FirstName).HasMaxLength(100);
            user.Property(u => u.LastName).HasMaxLength(100);
        });
    }
}
