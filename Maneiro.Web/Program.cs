using Maneiro.Infrastructure.Configuration;
using Maneiro.Infrastructure.Hosting;
using Maneiro.Web.Extensions;

try
{
    var builder = WebApplication.CreateBuilder(HostArguments.WithoutConfigWatching(args));
    builder.AddManeiroWeb(args);
    var app = builder.Build();
    app.UseManeiroWeb();
    return await app.RunManeiroAsync(args);
}
catch (MissingSettingException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 3;
}

/// <summary>Entry point type, visible to the HTTP tests.</summary>
public partial class Program;
