# syntax=docker/dockerfile:1
# One image recipe for the three services; the build argument SERVICE names the project folder:
#   docker build --build-arg SERVICE=Publisher .
#   docker build --build-arg SERVICE=Subscriber .
#   docker build --build-arg SERVICE=Monitor .
# and, as the stage `orders`, samples/Orders (issue 22's outbox and inbox; docker-compose.yml's profile `orders`):
#   docker build --target orders .
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

# samples/Orders: EF Core is not trim/AOT clean, so this one is published for the JIT onto the .NET runtime image.
# Its stages come before `final`, so a build without --target still gives a service image and skips these.
FROM mcr.microsoft.com/dotnet/sdk:10.0.401 AS build-orders
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY Shared/PubSubDemo.Shared.csproj Shared/DemoFriends.props Shared/
COPY Shared/PubSubDemo.Messaging/PubSubDemo.Messaging.csproj Shared/PubSubDemo.Messaging/
COPY Shared/PubSubDemo.Messaging.EntityFrameworkCore/PubSubDemo.Messaging.EntityFrameworkCore.csproj Shared/PubSubDemo.Messaging.EntityFrameworkCore/
COPY samples/Orders/Orders.csproj samples/Orders/
RUN dotnet restore samples/Orders/Orders.csproj

COPY Shared/ Shared/
COPY samples/Orders/ samples/Orders/
RUN dotnet publish samples/Orders/Orders.csproj -c Release -o /app --no-restore && rm -f /app/*.pdb

FROM mcr.microsoft.com/dotnet/runtime:10.0.12 AS orders
WORKDIR /app
COPY --from=build-orders /app .
# The SQLite file lives in /data (a named volume both roles mount): made here so the volume starts owned by the app user.
RUN mkdir -p /data && chown "$APP_UID" /data
USER $APP_UID
# The role is the first argument: order-service or stock-service.
ENTRYPOINT ["dotnet", "/app/PubSubDemo.Orders.dll"]

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0.12 AS final
WORKDIR /app
COPY --from=build /app .
# The non-root user every .NET image defines; APP_UID is set by the base image.
USER $APP_UID
# The binary is PID 1 and gets SIGTERM itself; arguments after the image name pass through (e.g. --healthcheck ready).
ENTRYPOINT ["/app/service"]
