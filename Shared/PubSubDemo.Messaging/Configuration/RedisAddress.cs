using System.Net;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Configuration;

/// <summary>
/// Turns REDIS_ADDR into client options: <c>host:port</c>, several endpoints separated by commas, a full
/// StackExchange.Redis configuration string, or a <c>redis://</c> / <c>rediss://</c> URL (which the client does not parse).
/// </summary>
internal static class RedisAddress
{
    public const string Allowed = "use host:port, host1:port1,host2:port2, redis://[user:password@]host[:port][/db], rediss://… or a StackExchange.Redis configuration string";

    public static bool TryParse(string text, out ConfigurationOptions options, out string? error)
    {
        options = new ConfigurationOptions();
        error = null;
        text = text.Trim();
        if (text.Length == 0)
        {
            error = "it is empty";
            return false;
        }

        if (text.Contains("://", StringComparison.Ordinal))
        {
            return TryParseUrl(text, out options, out error);
        }

        try
        {
            options = ConfigurationOptions.Parse(text);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            error = ex.Message;
            return false;
        }

        if (options.EndPoints.Count == 0)
        {
            error = "it names no host";
            return false;
        }

        // A host without a port means the default one (6379, or 6380 with TLS); say so in logs too.
        options.SetDefaultPorts();

        foreach (var endPoint in options.EndPoints)
        {
            if (endPoint is DnsEndPoint { Host: var host } && (host.Length == 0 || host.Contains(' ', StringComparison.Ordinal)))
            {
                error = $"'{host}' is not a host name";
                return false;
            }
        }

        return true;
    }

    private static bool TryParseUrl(string text, out ConfigurationOptions options, out string? error)
    {
        options = new ConfigurationOptions();
        error = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            error = "it is not a valid URL";
            return false;
        }

        if (uri.Scheme is not ("redis" or "rediss"))
        {
            error = $"the scheme '{uri.Scheme}' is not redis or rediss";
            return false;
        }

        var port = uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port;
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host;
        options.EndPoints.Add(IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port));
        options.Ssl = uri.Scheme == "rediss";
        if (options.Ssl)
        {
            options.SslHost = host;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            var password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            if (password is null)
            {
                // redis://secret@host is the common "password only" form.
                options.Password = user;
            }
            else
            {
                options.User = user.Length == 0 ? null : user;
                options.Password = password;
            }
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, out var database) || database < 0)
            {
                error = $"'/{path}' is not a database number";
                return false;
            }

            options.DefaultDatabase = database;
        }

        return true;
    }

    /// <summary>The address as typed, with any password replaced by *** so that error lines and logs never show it.</summary>
    public static string Redact(string text)
    {
        text = System.Text.RegularExpressions.Regex.Replace(text, @"(?i)(password\s*=)[^,]*", "$1***");
        // redis://user:secret@host and the password-only form redis://secret@host; an @ in the password is a %40.
        return System.Text.RegularExpressions.Regex.Replace(text, @"^(?i)(rediss?://)(?:([^:@/]*):)?[^@/]*@", m =>
            m.Groups[2].Success ? $"{m.Groups[1].Value}{m.Groups[2].Value}:***@" : $"{m.Groups[1].Value}***@");
    }

    /// <summary>Where we connect, for a log line: endpoints and TLS, never the password.</summary>
    public static string Describe(ConfigurationOptions options)
    {
        var endpoints = string.Join(",", options.EndPoints.Select(Format));
        return options.Ssl ? $"{endpoints} (TLS)" : endpoints;
    }

    public static string Format(EndPoint endPoint) => endPoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        IPEndPoint ip => ip.ToString(),
        _ => endPoint.ToString() ?? "?",
    };
}
