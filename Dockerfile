# syntax=docker/dockerfile:1
# One image recipe for the three services; the build argument SERVICE names the project folder:
#   docker build --build-arg SERVICE=Publisher .
#   docker build --build-arg SERVICE=Subscriber .
#   docker build --build-arg SERVICE=Monitor .
# Build context is the repository root. Each service is published as Native AOT (one self-contained binary, no
# .NET runtime in the image) onto runtime-deps, which holds only what that binary links against (libc, OpenSSL,
# CA certificates). Tags are pinned to the SDK and runtime patch the repository is built and tested with
# (SDK 10.0.401 satisfies global.json's 10.0.100 + latestFeature); bump both together.

ARG SERVICE=Publisher

FROM mcr.microsoft.com/dotnet/sdk:10.0.401 AS build
ARG SERVICE
WORKDIR /src

# The native linker: Directory.Build.props links with gcc on Linux; zlib is linked into the runtime.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*

# Restore from the project files alone, so the package layer is reused until a csproj or props file changes.
# .editorconfig comes too: the analyzers read it, and warnings are errors, so the image builds as CI does.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY Shared/PubSubDemo.Shared.csproj Shared/DemoFriends.props Shared/
COPY Shared/PubSubDemo.Messaging/PubSubDemo.Messaging.csproj Shared/PubSubDemo.Messaging/
COPY ${SERVICE}/PubSubDemo.${SERVICE}.csproj ${SERVICE}/
RUN dotnet restore ${SERVICE}/PubSubDemo.${SERVICE}.csproj -r linux-x64

COPY Shared/ Shared/
COPY ${SERVICE}/ ${SERVICE}/
RUN dotnet publish ${SERVICE}/PubSubDemo.${SERVICE}.csproj -c Release -r linux-x64 -o /app --no-restore \
    && rm -f /app/*.dbg /app/*.pdb \
    && mv /app/PubSubDemo.${SERVICE} /app/service

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0.12 AS final
WORKDIR /app
COPY --from=build /app .
# The non-root user every .NET image defines; APP_UID is set by the base image.
USER $APP_UID
# The binary is PID 1 and gets SIGTERM itself; arguments after the image name pass through (e.g. --healthcheck ready).
ENTRYPOINT ["/app/service"]
