# syntax=docker/dockerfile:1
# One image recipe for the three services; the build argument SERVICE names the project folder:
#   docker build --build-arg SERVICE=Publisher .
#   docker build --build-arg SERVICE=Subscriber .
#   docker build --build-arg SERVICE=Monitor --build-arg RUNTIME=aspnet .
# Build context is the repository root. Tags are pinned to the SDK and runtime patch the repository is built and
# tested with (SDK 10.0.401 satisfies global.json's 10.0.100 + latestFeature); bump both together.

ARG SERVICE=Publisher
# "runtime" for the worker services; the monitor serves its page with Kestrel and needs "aspnet".
ARG RUNTIME=runtime

FROM mcr.microsoft.com/dotnet/sdk:10.0.401 AS build
ARG SERVICE
WORKDIR /src

# Restore from the project files alone, so the package layer is reused until a csproj or props file changes.
# .editorconfig comes too: the analyzers read it, and warnings are errors, so the image builds as CI does.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY Shared/PubSubDemo.Shared.csproj Shared/
COPY ${SERVICE}/PubSubDemo.${SERVICE}.csproj ${SERVICE}/
RUN dotnet restore ${SERVICE}/PubSubDemo.${SERVICE}.csproj

COPY Shared/ Shared/
COPY ${SERVICE}/ ${SERVICE}/
RUN dotnet publish ${SERVICE}/PubSubDemo.${SERVICE}.csproj -c Release -o /app --no-restore -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/${RUNTIME}:10.0.12 AS final
ARG SERVICE
ENV SERVICE_ASSEMBLY=PubSubDemo.${SERVICE}.dll
WORKDIR /app
COPY --from=build /app .
# The non-root user every .NET image defines; APP_UID is set by the base image.
USER $APP_UID
# exec: dotnet replaces the shell, so it is PID 1 and gets SIGTERM itself; arguments after the image name pass through.
ENTRYPOINT ["/bin/sh", "-c", "exec dotnet \"$SERVICE_ASSEMBLY\" \"$@\"", "--"]
