using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PubSubDemo.OutboxTests.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Orders",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    Customer = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Orders", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Reservations",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrderId = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Reservations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "messaging_inbox",
                columns: table => new
                {
                    scope = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    message_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    handled_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_messaging_inbox", x => new { x.scope, x.message_id });
                });

            migrationBuilder.CreateTable(
                name: "messaging_outbox",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    message_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    destination_kind = table.Column<int>(type: "INTEGER", nullable: false),
                    destination_name = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    partition_key = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    payload = table.Column<byte[]>(type: "BLOB", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    due_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    sent_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_messaging_outbox", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "messaging_outbox_lease",
                columns: table => new
                {
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    holder = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    expires_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_messaging_outbox_lease", x => x.name);
                });

            migrationBuilder.CreateIndex(
                name: "ix_messaging_inbox_handled",
                table: "messaging_inbox",
                column: "handled_at");

            migrationBuilder.CreateIndex(
                name: "ix_messaging_outbox_key",
                table: "messaging_outbox",
                columns: new[] { "partition_key", "id" },
                filter: "sent_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_messaging_outbox_sent",
                table: "messaging_outbox",
                column: "sent_at",
                filter: "sent_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_messaging_outbox_unsent",
                table: "messaging_outbox",
                column: "id",
                filter: "sent_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Orders");

            migrationBuilder.DropTable(
                name: "Reservations");

            migrationBuilder.DropTable(
                name: "messaging_inbox");

            migrationBuilder.DropTable(
                name: "messaging_outbox");

            migrationBuilder.DropTable(
                name: "messaging_outbox_lease");
        }
    }
}
