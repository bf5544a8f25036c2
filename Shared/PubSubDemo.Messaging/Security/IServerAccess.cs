namespace PubSubDemo.Messaging.Security;

/// <summary>
/// One part of a service that talks to the server states what it needs there, for its current settings.
/// Each lives beside the code that sends the commands, so that a new command and its permission change together.
/// </summary>
internal interface IServerAccess
{
    void Describe(AccessRules rules);
}
