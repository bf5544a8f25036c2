using PubSubDemo.Messaging.Configuration;
using StackExchange.Redis;

namespace PubSubDemo.Shared.Configuration;

/// <summary>
/// REDIS_PASSWORD_FILE, the Docker secrets convention (<c>/run/secrets/redis_password</c>): the password is read from
/// a file, so it is never in the environment, where <c>docker inspect</c> and child processes would see it.
/// </summary>
internal static class PasswordFile
{
    /// <summary>Sets the password from the file when the variable is set; false (and one error) when it cannot.</summary>
    public static bool Apply(SettingsReader reader, ConfigurationOptions options)
    {
        if (reader.Raw(EnvironmentNames.RedisPasswordFile) is not { } path)
        {
            return true;
        }

        if (!string.IsNullOrEmpty(options.Password))
        {
            reader.Error(EnvironmentNames.RedisPasswordFile, path, $"{EnvironmentNames.RedisAddr} has a password too; give it in one place");
            return false;
        }

        string password;
        try
        {
            // A secret file usually ends with a newline that is not part of the password.
            password = File.ReadAllText(path).TrimEnd('\r', '\n');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            reader.Error(EnvironmentNames.RedisPasswordFile, path, ex is FileNotFoundException or DirectoryNotFoundException
                ? "no such file"
                : $"cannot read it: {ex.Message.TrimEnd('.')}");
            return false;
        }

        if (password.Length == 0)
        {
            reader.Error(EnvironmentNames.RedisPasswordFile, path, "the file is empty");
            return false;
        }

        options.Password = password;
        return true;
    }
}
