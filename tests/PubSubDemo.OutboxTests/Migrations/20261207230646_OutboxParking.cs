using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PubSubDemo.OutboxTests.Migrations
{
    /// <inheritdoc />
    public partial class OutboxParking : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "next_attempt_at",
                table: "messaging_outbox",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "parked_at",
                table: "messaging_outbox",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "refusals",
                table: "messaging_outbox",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateIndex(
                name: "ix_messaging_outbox_lease_expires",
                table: "messaging_outbox_lease",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_messaging_outbox_parked",
                table: "messaging_outbox",
                column: "parked_at",
                filter: "parked_at IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_messaging_outbox_lease_expires",
                table: "messaging_outbox_lease");

            migrationBuilder.DropIndex(
                name: "ix_messaging_outbox_parked",
                table: "messaging_outbox");

            migrationBuilder.DropColumn(
                name: "next_attempt_at",
                table: "messaging_outbox");

            migrationBuilder.DropColumn(
                name: "parked_at",
                table: "messaging_outbox");

            migrationBuilder.DropColumn(
                name: "refusals",
                table: "messaging_outbox");
        }
    }
}
