using Microsoft.Extensions.Logging;

namespace Maneiro.Infrastructure.Hosting;

public static partial class SiloLog
{
    /// <summary>Scripts and tests wait for this line to know the silo has joined the cluster.</summary>
    [LoggerMessage(Level = LogLevel.Information, Message = "Maneiro silo started")]
    public static partial void SiloStarted(this ILogger logger);
}
