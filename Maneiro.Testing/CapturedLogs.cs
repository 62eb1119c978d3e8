using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Maneiro.Testing;

/// <summary>Every log record the app writes, rendered with its scopes and exception, as a logging provider would ship it.</summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<(string Category, LogLevel Level, string Text, IReadOnlyDictionary<string, object?> Scope)> Records { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> fields)
            {
                foreach (var (key, value) in fields)
                {
                    text.Append(" | ").Append(key).Append('=').Append(value);
                }
            }

            var scope = new Dictionary<string, object?>();
            owner._scopes.ForEachScope(
                (item, values) =>
                {
                    text.Append(" | scope: ").Append(item);
                    if (item is IEnumerable<KeyValuePair<string, object>> pairs)
                    {
                        foreach (var (key, value) in pairs)
                        {
                            values[key] = value;
                            text.Append(' ').Append(key).Append('=').Append(value);
                        }
                    }
                },
                scope);
            if (exception is not null)
            {
                text.Append(" | ").Append(exception);
            }

            owner.Records.Enqueue((category, logLevel, text.ToString(), scope));
        }
    }
}
