package io.m365sync.testkit;
