using Maneiro.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;

namespace Maneiro.Tests.Unit.Configuration;

public sealed class DotEnvTests
{
    [Fact]
    public void Parses_comments_quotes_export_and_nested_keys()
    {
        var data = DotEnvConfigurationProvider.Parse(
        [
            "# a comment",
            "",
            "DATABASE_URL=postgresql://u:p@h/db",
            "export REDIS_URL='redis://h:1/0'",
            "SECRET_KEY=\"with # hash\"",
            "OPENAI_MODEL=gpt-4.1 # trailing comment",
            "Orleans__Mode=Client",
            "not a setting",
        ]);

        Assert.Equal("postgresql://u:p@h/db", data["DATABASE_URL"]);
        Assert.Equal("redis://h:1/0", data["REDIS_URL"]);
        Assert.Equal("with # hash", data["SECRET_KEY"]);
        Assert.Equal("gpt-4.1", data["OPENAI_MODEL"]);
        Assert.Equal("Client", data["Orleans:Mode"]);
        Assert.Equal(5, data.Count);
    }

    [Fact]
    public void Env_file_in_the_working_directory_overrides_earlier_sources_and_is_optional()
    {
        var dir = Directory.CreateTempSubdirectory("maneiro-env-");
        try
        {
            var withoutFile = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["SECRET_KEY"] = "from-env" })
                .AddManeiroSources(dir.FullName)
                .Build();
            Assert.Equal("from-env", withoutFile["SECRET_KEY"]);

            File.WriteAllText(Path.Combine(dir.FullName, ".env"), "SECRET_KEY=from-dotenv\n");
            var withFile = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["SECRET_KEY"] = "from-env" })
                .AddManeiroSources(dir.FullName)
                .Build();
            Assert.Equal("from-dotenv", withFile["SECRET_KEY"]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
