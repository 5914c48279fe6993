package io.m365sync.jdbc;
