using System.Diagnostics;
using Maneiro.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using YamlDotNet.Core.Events;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Maneiro.Tests.Deployment;

public sealed class DeploymentFilesTests
{
    private static string RepoFile(string name) => Path.Combine(TestServers.RepositoryRoot, name);

    [Fact]
    public async Task Docker_compose_file_is_valid_for_docker_compose()
    {
        var psi = new ProcessStartInfo("docker-compose") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = TestServers.RepositoryRoot };
        foreach (var arg in new[] { "-f", RepoFile("docker-compose.yml"), "config", "-q" })
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, "docker-compose config failed: " + errors);
    }

    [Fact]
    public void Docker_compose_has_postgres_redis_two_silos_and_a_client_mode_web_with_health_checks_and_volumes()
    {
        var root = LoadSingleDocument(RepoFile("docker-compose.yml"));
        var services = (YamlMappingNode)root["services"];
        Assert.Equal(["postgres", "redis", "silo1", "silo2", "web"], services.Children.Keys.Select(k => k.ToString()).Order().ToArray());
        foreach (var name in new[] { "postgres", "redis", "web" })
        {
            Assert.True(((YamlMappingNode)services[name]).Children.ContainsKey("healthcheck"), name + " has no health check");
        }

        Assert.Contains("Maneiro.Silo.dll", services["silo1"]["command"].ToString(), StringComparison.Ordinal);
        var volumes = (YamlMappingNode)root["volumes"];
        Assert.Equal(2, volumes.Children.Count);
    }

    [Fact]
    public void Only_the_web_is_published_and_the_cluster_talks_on_a_private_network()
    {
        var services = (YamlMappingNode)LoadSingleDocument(RepoFile("docker-compose.yml"))["services"];
        foreach (var (key, value) in services.Children)
        {
            var service = (YamlMappingNode)value;
            Assert.Equal(key.ToString() == "web", service.Children.ContainsKey("ports"));
            Assert.Contains("cluster", ((YamlSequenceNode)service["networks"]).Select(n => n.ToString()));
        }

        Assert.DoesNotContain("public", ((YamlSequenceNode)services["silo1"]["networks"]).Select(n => n.ToString()));
    }

    [Fact]
    public void A_silo_with_an_advertised_address_listens_on_that_address_only()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Orleans:AdvertisedHost"] = "127.0.0.1",
                ["Orleans:SiloPort"] = "11111",
                ["Orleans:GatewayPort"] = "30000",
                ["DATABASE_URL"] = "postgresql://maneiro@127.0.0.1:5432/maneiro",
                ["REDIS_URL"] = "redis://127.0.0.1:6379/0",
                ["SECRET_KEY"] = TestServers.SecretKey,
                ["OPENAI_API_KEY"] = "sk-test",
            })
            .Build();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => Maneiro.Infrastructure.Hosting.SiloHostingExtensions.AddManeiroSilo(silo, configuration));
        using var host = builder.Build();
        var endpoints = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Orleans.Configuration.EndpointOptions>>().Value;

        Assert.Equal(System.Net.IPAddress.Loopback, endpoints.AdvertisedIPAddress);
        Assert.Equal(System.Net.IPAddress.Loopback, endpoints.SiloListeningEndpoint?.Address ?? endpoints.AdvertisedIPAddress);
        Assert.Equal(System.Net.IPAddress.Loopback, endpoints.GatewayListeningEndpoint?.Address ?? endpoints.AdvertisedIPAddress);
    }

    [Fact]
    public void The_image_builds_the_pdf_text_server_against_its_own_poppler_and_the_apps_use_it()
    {
        var dockerfile = File.ReadAllText(RepoFile("Dockerfile"));
        Assert.Contains("FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS native", dockerfile, StringComparison.Ordinal);
        Assert.Contains("COPY native/pdftext-server.cc /src/", dockerfile, StringComparison.Ordinal);
        Assert.Contains("COPY --from=native /pdftext-server /app/bin/pdftext-server", dockerfile, StringComparison.Ordinal);
        Assert.Contains("Pdf__TextServerPath=/app/bin/pdftext-server", dockerfile, StringComparison.Ordinal);
    }

    /// <summary>
    /// The web and the silos compile without tiering, so the framework's ReadyToRun code would never be replaced by
    /// optimized code: wherever they run as the product (the image, ./run, bench/run) ReadyToRun is off. The runtime
    /// reads that from the environment only, so each of those launches must set it before starting dotnet.
    /// </summary>
    [Fact]
    public async Task The_server_processes_run_without_ReadyToRun_code_wherever_tiered_compilation_is_off()
    {
        var props = File.ReadAllText(RepoFile("Directory.Build.props"));
        Assert.Matches(@"'\$\(MSBuildProjectName\)' == 'Maneiro.Web' Or '\$\(MSBuildProjectName\)' == 'Maneiro.Silo'[^>]*>\s*<TieredCompilation>false</TieredCompilation>", props);

        var finalStage = File.ReadAllText(RepoFile("Dockerfile")).Split("\nFROM ").Last();
        Assert.Matches(@"\nENV [^\n]*\\\n(\s+\S+ \\\n)*\s+DOTNET_ReadyToRun=0\b", finalStage);

        foreach (var script in new[] { "run", "bench/run" })
        {
            var text = File.ReadAllText(RepoFile(script));
            var set = text.IndexOf("\nserver_runtime_env\n", StringComparison.Ordinal);
            var launch = text.IndexOf(".dll", StringComparison.Ordinal); // the built app it starts (builds come first: they keep ReadyToRun)
            Assert.True(set >= 0 && launch > set, $"{script} does not call server_runtime_env before it starts the app.");
        }

        // What the function exports (a value already in the environment is kept: an operator may turn it back on).
        var startInfo = new ProcessStartInfo("bash", ["-c", "source scripts/lib.sh && unset DOTNET_ReadyToRun && server_runtime_env && printf %s \"$DOTNET_ReadyToRun\""])
        {
            WorkingDirectory = TestServers.RepositoryRoot,
            RedirectStandardOutput = true,
        };
        using var bash = Process.Start(startInfo)!;
        var exported = await bash.StandardOutput.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.Equal("0", exported);
    }

    [Fact]
    public void Dockerfile_copies_every_project_the_hosts_build_from_and_no_production_project_references_an_executable()
    {
        var dockerfile = File.ReadAllText(RepoFile("Dockerfile"));
        var projects = Directory.GetFiles(TestServers.RepositoryRoot, "*.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(TestServers.RepositoryRoot, p))
            .Where(p => !p.StartsWith("Maneiro.Test", StringComparison.Ordinal) && !p.StartsWith("bench", StringComparison.Ordinal) && !p.StartsWith('.'))
            .ToList();
        Assert.Contains(Path.Combine("Maneiro.Infrastructure", "Maneiro.Infrastructure.csproj"), projects);
        foreach (var project in projects)
        {
            var folder = Path.GetDirectoryName(project)!;
            Assert.Contains($"COPY {folder}/{Path.GetFileName(project)} {folder}/packages.lock.json {folder}/", dockerfile, StringComparison.Ordinal);
            Assert.Contains($"COPY {folder}/ {folder}/", dockerfile, StringComparison.Ordinal);

            // Executables are hosts: only tests and benchmarks may reference one (the web, for WebApplicationFactory).
            var xml = System.Xml.Linq.XDocument.Load(RepoFile(project));
            foreach (var reference in xml.Descendants("ProjectReference").Select(r => r.Attribute("Include")!.Value))
            {
                var target = System.Xml.Linq.XDocument.Load(Path.GetFullPath(Path.Combine(TestServers.RepositoryRoot, folder, reference.Replace('\\', '/'))));
                var isExe = target.Descendants("OutputType").Any(o => o.Value == "Exe") || target.Root!.Attribute("Sdk")!.Value == "Microsoft.NET.Sdk.Web";
                Assert.False(isExe, $"{project} references the executable {reference}.");
            }
        }
    }

    [Fact]
    public void Render_blueprint_is_one_document_without_duplicate_keys_and_has_every_part()
    {
        var root = LoadSingleDocument(RepoFile("render.yaml"));
        var services = ((YamlSequenceNode)root["services"]).Cast<YamlMappingNode>().ToList();

        var web = services.Single(s => s["type"].ToString() == "web");
        Assert.Equal("docker", web["runtime"].ToString());
        Assert.Equal("/healthz", web["healthCheckPath"].ToString());
        Assert.Equal("/maneiro/prod/", EnvVar(web, "PARAMETER_STORE_PATH"));
        Assert.NotNull(EnvVar(web, "AWS_REGION"));

        var silo = services.Single(s => s["type"].ToString() == "pserv");
        Assert.Contains("Maneiro.Silo.dll", silo["dockerCommand"].ToString(), StringComparison.Ordinal);
        Assert.Single(services, s => s["type"].ToString() == "keyvalue");
        Assert.Single((YamlSequenceNode)root["databases"]);
    }

    [Fact]
    public void The_duplicate_key_check_rejects_the_seed_draft_that_repeats_services()
    {
        const string seedDraft = "services:\n  - type: web\n    name: a\nservices:\n  - type: redis\n    name: b\n";
        var ex = Assert.Throws<InvalidDataException>(() => CheckNoDuplicateKeys(new StringReader(seedDraft), "draft"));
        Assert.Contains("services", ex.Message, StringComparison.Ordinal);
    }

    private static string? EnvVar(YamlMappingNode service, string key) =>
        ((YamlSequenceNode)service["envVars"]).Cast<YamlMappingNode>()
            .Where(e => e["key"].ToString() == key)
            .Select(e => e.Children.TryGetValue("value", out var v) ? v.ToString() : "(from another resource)")
            .SingleOrDefault();

    private static YamlMappingNode LoadSingleDocument(string path)
    {
        CheckNoDuplicateKeys(new StringReader(File.ReadAllText(path)), path);
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        Assert.Single(stream.Documents);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    /// <summary>Walks the parser's events: YAML loaders differ on duplicate keys (some merge silently), so we reject them ourselves.</summary>
    private static void CheckNoDuplicateKeys(TextReader reader, string name)
    {
        var parser = new Parser(reader);
        var mappings = new Stack<(HashSet<string> Keys, bool ExpectKey)>();
        var depthInKeyless = 0;
        while (parser.MoveNext())
        {
            var current = parser.Current!;
            switch (current)
            {
                case MappingStart:
                    MarkValueConsumed();
                    mappings.Push((new HashSet<string>(StringComparer.Ordinal), true));
                    break;
                case MappingEnd:
                    mappings.Pop();
                    break;
                case SequenceStart:
                    MarkValueConsumed();
                    mappings.Push((new HashSet<string>(), false));
                    depthInKeyless++;
                    break;
                case SequenceEnd:
                    mappings.Pop();
                    depthInKeyless--;
                    break;
                case Scalar scalar when mappings.Count > 0 && mappings.Peek().ExpectKey:
                    var top = mappings.Pop();
                    if (!top.Keys.Add(scalar.Value))
                    {
                        throw new InvalidDataException($"{name}: duplicate key '{scalar.Value}' at line {scalar.Start.Line}.");
                    }

                    mappings.Push((top.Keys, false));
                    break;
                case Scalar or AnchorAlias:
                    MarkValueConsumed();
                    break;
            }
        }

        void MarkValueConsumed()
        {
            if (mappings.Count > 0 && !mappings.Peek().ExpectKey && mappings.Peek().Keys.Count > 0)
            {
                var top = mappings.Pop();
                mappings.Push((top.Keys, true));
            }
        }
    }
}
